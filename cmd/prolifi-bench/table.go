package main

import (
	"fmt"
	"strings"
)

// row is one line of the table: what was measured, the figure, the ideal
// or target beside it, and how it was got.
type row struct {
	what, result, ideal, detail string
}

func (r row) String() string {
	return "| " + strings.Join([]string{r.what, r.result, r.ideal, r.detail}, " | ") + " |"
}

// rowf builds a row with the result in bold.
func rowf(what, result, ideal, detail string, a ...any) row {
	return row{what: what, result: "**" + result + "**", ideal: ideal, detail: fmt.Sprintf(detail, a...)}
}

// measurement is one section of the table: a function that measures and
// returns its rows.
type measurement struct {
	key, name string
	run       func(*bench) ([]row, error)
}

func measurements() []measurement {
	return []measurement{
		{"ceiling", "ceiling and CPU per row: the importer against a bare load loop, 3 rounds", (*bench).ceiling},
		{"fidelity", "rate fidelity: --rate 500, 50 ms latency", (*bench).fidelity},
		{"limits", "finding the server's limit: --rate 1000 against 200 requests a second", (*bench).limits},
		{"ledger", "reruns over one ledger", (*bench).reruns},
		{"memory", "peak memory", (*bench).memory},
	}
}

func names() []string {
	var out []string
	for _, m := range measurements() {
		out = append(out, m.key)
	}
	return out
}

// choose returns the measurements only names, all when it is empty.
func choose(only string) ([]measurement, error) {
	all := measurements()
	if only == "" {
		return all, nil
	}
	var out []measurement
	for _, k := range strings.Split(only, ",") {
		found := false
		for _, m := range all {
			if m.key == strings.TrimSpace(k) {
				out, found = append(out, m), true
			}
		}
		if !found {
			return nil, fmt.Errorf("no measurement %q (have %s)", k, strings.Join(names(), ", "))
		}
	}
	return out, nil
}
