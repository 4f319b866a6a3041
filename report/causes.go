package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/prolifi/prolifi-import/importer"
)

// Cause is one reason rows need a person, with how many rows it covers and
// the first few of their lines.
type Cause struct {
	Status string `json:"status"`
	Cause  string `json:"cause"`
	Count  int    `json:"count"`
	Lines  []int  `json:"first_lines"`
}

// CauseUnknown is the cause of the rows whose outcome is unknown.
const CauseUnknown = "may or may not have been created (sent without an answer, or a run killed before its answer was recorded): check in Prolifi, then --retry-unknown"

// The bounds of the cause table: the lines kept per cause, and the causes
// kept before the rest are counted as one.
const (
	causeLines = 5
	maxCauses  = 50
)

// causes groups the rows to fix by cause as they finish.
type causes struct {
	by map[string]*Cause
}

func newCauses() *causes { return &causes{by: map[string]*Cause{}} }

// add counts r under each of its causes.
func (c *causes) add(r importer.Result) {
	if !r.Status.ToFix() {
		return
	}
	for _, why := range reasons(r) {
		key := string(r.Status) + "\x00" + why
		g, ok := c.by[key]
		if !ok {
			if len(c.by) >= maxCauses {
				key, why = string(r.Status)+"\x00other", "other causes"
				g = c.by[key]
			}
			if g == nil {
				g = &Cause{Status: string(r.Status), Cause: why}
				c.by[key] = g
			}
		}
		g.Count++
		g.Lines = firstLines(g.Lines, r.Line)
	}
}

// reasons names the causes of one row: each field error of an invalid row,
// else its kind of failure, without what is particular to the row.
func reasons(r importer.Result) []string {
	if len(r.FieldErrors) > 0 {
		out := make([]string, len(r.FieldErrors))
		for i, f := range r.FieldErrors {
			out[i] = f.Field + " " + f.Message
			if f.Message == "must be valid UTF-8 text" {
				out[i] += " (an older program's export: try --encoding windows-1252)"
			}
		}
		return out
	}
	switch r.ErrorType {
	case importer.ErrorTypeDuplicate:
		return []string{"same external_id (or email) as an earlier line"}
	case importer.ErrorTypeCSV:
		return []string{"malformed CSV record"}
	case importer.ErrorTypeOutcomeUnknown:
		return []string{CauseUnknown}
	case importer.ErrorTypeRedirect:
		return []string{"the API answered with a redirect, which is never followed"}
	case "":
		return []string{strings.TrimSpace(firstClause(r.Message))}
	}
	if r.HTTPStatus != 0 {
		return []string{fmt.Sprintf("%s (HTTP %d)", r.ErrorType, r.HTTPStatus)}
	}
	return []string{r.ErrorType}
}

// firstLines keeps the causeLines lowest lines, in order: rows finish out
// of order, and "the first lines" are the input's, not the run's.
func firstLines(lines []int, line int) []int {
	i, _ := slices.BinarySearch(lines, line)
	if i >= causeLines {
		return lines
	}
	lines = slices.Insert(lines, i, line)
	return lines[:min(len(lines), causeLines)]
}

// firstClause is a message up to its first colon: the kind, not the detail.
func firstClause(s string) string {
	if i := strings.IndexByte(s, ':'); i > 0 {
		return s[:i]
	}
	return s
}

// list returns the causes by status, then largest first.
func (c *causes) list() []Cause {
	out := make([]Cause, 0, len(c.by))
	for _, g := range c.by {
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b Cause) int {
		return cmp.Or(cmp.Compare(statusRank(a.Status), statusRank(b.Status)), cmp.Compare(b.Count, a.Count), cmp.Compare(a.Cause, b.Cause))
	})
	return out
}

func statusRank(s string) int {
	return slices.Index(importer.Statuses(), importer.Status(s))
}
