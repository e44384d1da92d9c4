package store

import "strconv"

// Builders for field names, so that no caller spells the grammar that
// ParseField reads (fields.go) by hand. Each returns a name ParseField
// accepts when its arguments are valid (a step 1..99, an item or question
// id, an entity id); they do not check, the commit does.

// FieldStep is a field of step n itself: "status", "note" or "comment".
func FieldStep(n int, name string) string { return "step/" + strconv.Itoa(n) + "/" + name }

// FieldStepStatus is step n's status, "step/3/status".
func FieldStepStatus(n int) string { return FieldStep(n, "status") }

// FieldStepNote is the coach's note on step n, "step/3/note".
func FieldStepNote(n int) string { return FieldStep(n, "note") }

// FieldStepComment is the coordinator's comment on step n, "step/3/comment".
func FieldStepComment(n int) string { return FieldStep(n, "comment") }

// FieldCheck is checklist item item of step n, "step/3/check/c2".
func FieldCheck(n int, item string) string { return FieldStep(n, "check/"+item) }

// FieldAnswer is the answer to question q of step n, "step/3/answer/q1".
func FieldAnswer(n int, q string) string { return FieldStep(n, "answer/"+q) }

// EntityField is field name of the entity of kind with id,
// "agreement/<id>/due".
func EntityField(kind, id, name string) string { return kind + "/" + id + "/" + name }

// AgreementField is field name of agreement id, "agreement/<id>/due".
func AgreementField(id, name string) string { return EntityField(EntityAgreement, id, name) }

// JournalField is field name of journal entry id, "journal/<id>/text".
func JournalField(id, name string) string { return EntityField(EntityJournal, id, name) }

// MoveField is field name of route move id, "move/<id>/reason".
func MoveField(id, name string) string { return EntityField(EntityMove, id, name) }
