package schemacase

import (
	"github.com/edfi-dmsc/dmsc/model"
)

// HandmadeModel builds a small model by hand, independent of the compiler,
// for the renderer's corner cases: identifiers that need escaping in both
// dialects, a comment with a line break, a string literal with a quote, a
// unique key over a nullable column (a filtered unique index on SQL
// Server), and a view joining another view and dms.Descriptor whose name
// sorts before the view it depends on.
func HandmadeModel(dialect model.Dialect) *model.Model {
	i32 := model.Type{Kind: model.Int32}
	i64 := model.Type{Kind: model.Int64}
	str := func(n int) model.Type { return model.Type{Kind: model.String, MaxLength: n} }
	col := func(name string, kind model.ColumnKind, t model.Type, nullable bool) *model.Column {
		return &model.Column{Name: name, Kind: kind, Type: t, Nullable: nullable, IsKey: kind == model.DocumentIDColumn || kind == model.ParentKeyColumn || kind == model.OrdinalColumn}
	}
	docFK := func(table string) *model.ForeignKey {
		return &model.ForeignKey{Name: "FK_" + table + "_Document", Columns: []string{"DocumentId"}, TargetSchema: "dms", TargetTable: "Document",
			TargetColumns: []string{"DocumentId"}, OnDelete: "Cascade", Kind: "Document"}
	}
	maker := &model.Table{
		Schema: "hand", Name: "Maker", Kind: model.RootTable, Comment: "hand.Maker: Maker $",
		Columns:     []*model.Column{col("DocumentId", model.DocumentIDColumn, i64, false), col("MakerId", model.ScalarColumn, i32, false)},
		Key:         model.Constraint{Name: "PK_Maker", Columns: []string{"DocumentId"}, Kind: "PrimaryKey"},
		Uniques:     []model.Constraint{{Name: "UX_Maker_NK", Columns: []string{"MakerId"}, Kind: "NaturalKey"}},
		ForeignKeys: []*model.ForeignKey{docFK("Maker")},
	}
	widget := &model.Table{
		Schema: "hand", Name: `Wid"get]`, Kind: model.RootTable,
		Comment: "hand.Wid\"get]: Widget $\nDROP TABLE hand.Maker; -- a line break must not end the comment",
		Columns: []*model.Column{
			col("DocumentId", model.DocumentIDColumn, i64, false),
			col("Maker_DocumentId", model.DocumentFKColumn, i64, false),
			col("Kind_DescriptorId", model.DescriptorFKColumn, i64, true),
			col("Active", model.ScalarColumn, model.Type{Kind: model.Boolean}, true),
			col("MadeAt", model.ScalarColumn, model.Type{Kind: model.DateTime}, true),
			col("MadeOn", model.ScalarColumn, model.Type{Kind: model.Date}, true),
			col("Name", model.ScalarColumn, str(40), false),
			col(`Nick"Name]`, model.ScalarColumn, str(10), true),
			col("OpensAt", model.ScalarColumn, model.Type{Kind: model.Time}, true),
			col("Price", model.ScalarColumn, model.Type{Kind: model.Decimal, Precision: 9, Scale: 2}, true),
			col("Serial", model.ScalarColumn, i64, true),
			col("Size", model.ScalarColumn, model.Type{Kind: model.Int16}, true),
		},
		Key: model.Constraint{Name: "PK_Widget", Columns: []string{"DocumentId"}, Kind: "PrimaryKey"},
		Uniques: []model.Constraint{
			{Name: "UX_Widget_NK", Columns: []string{"Maker_DocumentId", "Name"}, Kind: "NaturalKey"},
			{Name: "UX_Widget_NickName", Columns: []string{`Nick"Name]`}, Kind: "ArrayUnique"},
		},
		ForeignKeys: []*model.ForeignKey{
			{Name: "FK_Widget_Document", Columns: []string{"DocumentId"}, TargetSchema: "dms", TargetTable: "Document",
				TargetColumns: []string{"DocumentId"}, OnDelete: "Cascade", Kind: "Document"},
			{Name: "FK_Widget_Maker", Columns: []string{"Maker_DocumentId"}, TargetSchema: "hand", TargetTable: "Maker",
				TargetColumns: []string{"DocumentId"}, OnDelete: "NoAction", Kind: "Reference"},
			{Name: "FK_Widget_Kind", Columns: []string{"Kind_DescriptorId"}, TargetSchema: "dms", TargetTable: "Descriptor",
				TargetColumns: []string{"DocumentId"}, OnDelete: "NoAction", Kind: "Descriptor"},
		},
		Indexes: []model.Constraint{{Name: "IX_Widget_Kind_DescriptorId", Columns: []string{"Kind_DescriptorId"}, Kind: "Index"}},
	}
	part := &model.Table{
		Schema: "hand", Name: "WidgetPart", Kind: model.CollectionTable, Parent: widget, Comment: "hand.WidgetPart: Widget $.parts[*]",
		Columns: []*model.Column{
			col("Widget_DocumentId", model.ParentKeyColumn, i64, false),
			col("Ordinal", model.OrdinalColumn, i32, false),
			col("PartNo", model.ScalarColumn, str(20), false),
		},
		Key: model.Constraint{Name: "PK_WidgetPart", Columns: []string{"Widget_DocumentId", "Ordinal"}, Kind: "PrimaryKey"},
		ForeignKeys: []*model.ForeignKey{{Name: "FK_WidgetPart_Widget", Columns: []string{"Widget_DocumentId"}, TargetSchema: "hand",
			TargetTable: `Wid"get]`, TargetColumns: []string{"DocumentId"}, OnDelete: "Cascade", Kind: "Parent"}},
	}
	m := &model.Model{
		Dialect: dialect, APISchemaVersion: "1.0.0", MappingVersion: "dmsc-test",
		EffectiveSchemaHash: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		ResourceKeySeedHash: "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210",
		Projects:            []model.Project{{EndpointName: "hand", ProjectName: "Hand", ProjectVersion: "1.0.0", ProjectHash: "aa" + "00000000000000000000000000000000000000000000000000000000000000"[:62], Schema: "hand"}},
		ResourceKeys: []model.ResourceKey{
			{ID: 1, ProjectName: "Hand", ResourceName: "Maker", ResourceVersion: "1.0.0"},
			{ID: 2, ProjectName: "Hand", ResourceName: "O'Widget", ResourceVersion: "1.0.0"},
		},
	}
	makerRes := &model.Resource{ProjectName: "Hand", ResourceName: "Maker", Storage: model.StorageTables, Tables: []*model.Table{maker}}
	widgetRes := &model.Resource{ProjectName: "Hand", ResourceName: "O'Widget", Storage: model.StorageTables, Tables: []*model.Table{widget, part}}
	for _, r := range []*model.Resource{makerRes, widgetRes} {
		for _, t := range r.Tables {
			t.Resource = r
		}
	}
	m.Resources = []*model.Resource{makerRes, widgetRes}
	zeta := &model.View{
		Schema: "hand", Name: "Zeta_View", ProjectName: "Hand", ResourceName: "Zeta",
		Columns: []model.ViewColumn{{Name: "DocumentId", Type: i64}, {Name: "Discriminator", Type: str(256)}, {Name: "ZetaId", Type: i32}},
		Arms: []model.ViewArm{
			{Member: makerRes, Table: maker, Discriminator: "Hand:Maker", Values: []model.ValueSource{{Column: "MakerId", Type: i32}}},
			{Member: widgetRes, Table: widget, Discriminator: "Hand:O'Widget", Values: []model.ValueSource{
				{Hops: []model.Hop{{FKColumn: "Maker_DocumentId", Schema: "hand", Table: "Maker"}}, Column: "MakerId", Type: i32}}},
		},
	}
	alpha := &model.View{
		Schema: "hand", Name: "Alpha_View", ProjectName: "Hand", ResourceName: "Alpha",
		Columns: []model.ViewColumn{{Name: "DocumentId", Type: i64}, {Name: "Discriminator", Type: str(256)},
			{Name: "ZetaReference_ZetaId", Type: model.Type{Kind: model.Int64}}, {Name: "KindDescriptor", Type: model.DescriptorURIType},
			{Name: "MakerZetaId", Type: i32}},
		Arms: []model.ViewArm{{Member: widgetRes, Table: widget, Discriminator: "Hand:O'Widget", Values: []model.ValueSource{
			{Hops: []model.Hop{{FKColumn: "Maker_DocumentId", Schema: "hand", Table: "Zeta_View"}}, Column: "ZetaId", Type: i32},
			{Hops: []model.Hop{{FKColumn: "Kind_DescriptorId", Schema: "dms", Table: "Descriptor"}}, Column: "Uri", Descriptor: true, Type: model.DescriptorURIType},
			{Hops: []model.Hop{{FKColumn: "Maker_DocumentId", Schema: "hand", Table: "Maker"}}, Column: "MakerId", Type: i32},
		}}},
	}
	m.Views = []*model.View{alpha, zeta}
	return m
}
