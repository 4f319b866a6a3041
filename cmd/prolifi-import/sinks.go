package main

import (
	"errors"
	"sync/atomic"

	"github.com/prolifi/prolifi-import/importer"
	"github.com/prolifi/prolifi-import/report"
)

// sinks sends each result to the results file and the rejects file, and
// counts them for the progress display.
type sinks struct {
	results *report.Results
	rejects *report.Rejects
	rows    atomic.Int64
}

func (s *sinks) Write(r importer.Result) error {
	if err := s.results.Write(r); err != nil {
		return err
	}
	if err := s.rejects.Write(r); err != nil {
		return err
	}
	s.rows.Add(1)
	return nil
}

func (s *sinks) Flush() error {
	return errors.Join(s.results.Flush(), s.rejects.Flush())
}
