package store

import "testing"

// TestFieldBuildersParse: every builder spells the grammar ParseField
// reads, so a field built by one parses back into its parts and kind.
func TestFieldBuildersParse(t *testing.T) {
	const id = "01a247dc-a5d6-717c-a1e8-723df1de8530"
	cases := []struct {
		got, want string
		path      FieldPath
		kind      Kind
	}{
		{FieldStepStatus(3), "step/3/status", FieldPath{Entity: "step", ID: "3", Name: "status"}, KindStatus},
		{FieldStepNote(12), "step/12/note", FieldPath{Entity: "step", ID: "12", Name: "note"}, KindText},
		{FieldStepComment(1), "step/1/comment", FieldPath{Entity: "step", ID: "1", Name: "comment"}, KindText},
		{FieldCheck(3, "c2"), "step/3/check/c2", FieldPath{Entity: "step", ID: "3", Sub: "check", Item: "c2", Name: "c2"}, KindBool},
		{FieldAnswer(2, "q1"), "step/2/answer/q1", FieldPath{Entity: "step", ID: "2", Sub: "answer", Item: "q1", Name: "q1"}, KindText},
		{AgreementField(id, "due"), "agreement/" + id + "/due", FieldPath{Entity: EntityAgreement, ID: id, Name: "due"}, KindDate},
		{JournalField(id, "text"), "journal/" + id + "/text", FieldPath{Entity: EntityJournal, ID: id, Name: "text"}, KindText},
		{MoveField(id, "reason"), "move/" + id + "/reason", FieldPath{Entity: EntityMove, ID: id, Name: "reason"}, KindText},
		{EntityField(EntityContact, id, "phone"), "contact/" + id + "/phone", FieldPath{Entity: EntityContact, ID: id, Name: "phone"}, KindScalar},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("built %q, want %q", c.got, c.want)
			continue
		}
		p, k, err := ParseField(c.got)
		if err != nil {
			t.Errorf("%s: %v", c.got, err)
			continue
		}
		if p != c.path || k != c.kind {
			t.Errorf("%s parsed as %+v kind %d, want %+v kind %d", c.got, p, k, c.path, c.kind)
		}
	}
}
