package datadict

// style is the stylesheet every page carries inline (no external asset).
const style = `
:root { --fg: #1d2430; --muted: #5b6578; --line: #d8dde6; --head: #eef2f8; --accent: #1f5fa8; --band: #17365d; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: #fff; }
header.band { background: var(--band); color: #fff; padding: 18px 28px; }
header.band h1 { margin: 0 0 4px; font-size: 24px; }
header.band a { color: #cfe2ff; }
header.band .meta { color: #d7e0ee; }
nav.crumbs { font-size: 13px; margin-bottom: 6px; }
main { padding: 8px 28px 40px; max-width: 1600px; }
h2 { font-size: 20px; margin: 28px 0 8px; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 16px; margin: 20px 0 4px; }
h4 { font-size: 13px; margin: 10px 0 4px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
.meta { color: var(--muted); margin: 2px 0; }
.desc { margin: 4px 0 8px; max-width: 110ch; }
.route { font-weight: normal; font-size: 14px; color: var(--muted); margin-left: 8px; }
.kind { display: inline-block; font-size: 11px; font-weight: 600; padding: 1px 6px; border-radius: 8px; background: var(--head); color: var(--muted); vertical-align: middle; margin-left: 6px; }
.badge { display: inline-block; font-size: 11px; font-weight: 700; padding: 0 5px; border-radius: 4px; margin-right: 3px; color: #fff; }
.badge.PK { background: #9a6700; }
.badge.FK { background: #1f5fa8; }
.badge.UK { background: #6f42c1; }
.generated { color: var(--muted); font-style: italic; }
section.resource { margin-top: 30px; }
section.table { margin: 14px 0 22px 0; padding-left: 12px; border-left: 3px solid var(--line); overflow-x: auto; }
ul.plain li { overflow-wrap: anywhere; }
table.grid { border-collapse: collapse; width: 100%; margin: 6px 0; }
table.grid th, table.grid td { border: 1px solid var(--line); padding: 4px 7px; text-align: left; vertical-align: top; }
table.grid th { background: var(--head); font-weight: 600; white-space: nowrap; }
table.grid tbody tr:nth-child(even) td { background: #fafbfd; }
td.name, td.type, td.null, td.key { white-space: nowrap; }
td.path, td.ref { overflow-wrap: anywhere; }
td.num { text-align: right; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: 2px 14px; margin: 6px 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
ul.toc { columns: 4 260px; column-gap: 24px; padding-left: 18px; margin: 4px 0 10px; }
ul.toc li { overflow-wrap: anywhere; break-inside: avoid; }
ul.plain { padding-left: 18px; margin: 4px 0; }
footer { color: var(--muted); font-size: 12px; padding: 16px 28px; border-top: 1px solid var(--line); }
`
