package importer

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/prolifi/prolifi-import/client"
)

// dispatch takes rows in batches, consults the ledger for each batch, and
// sends on the rows that need a request once their pending entries are
// durable: a crash after that leaves a trace of every request that may have
// gone out. A batch is whatever arrived while the last one was being
// committed, so commits group themselves under load and cost no wait when
// rows come slowly.
func (r *run) dispatch() error {
	defer close(r.jobs)
	batch := make([]Row, 0, batchMax)
	for row := range r.rows {
		batch = r.fill(append(batch[:0], row))
		if r.stopCtx.Err() != nil || r.limitReached() {
			r.counters.skipped.Add(int64(len(batch)))
			continue
		}
		if err := r.route(batch); err != nil {
			// route fails before it hands any row on: the batch is unsent.
			r.counters.skipped.Add(int64(len(batch)))
			r.stop(err)
			for range r.rows {
				r.counters.skipped.Add(1)
			}
			return err
		}
	}
	return nil
}

// fill adds the rows already waiting to batch, up to r.ahead().
func (r *run) fill(batch []Row) []Row {
	for n := r.ahead(); len(batch) < n; {
		select {
		case row, ok := <-r.rows:
			if !ok {
				return batch
			}
			batch = append(batch, row)
		default:
			return batch
		}
	}
	return batch
}

// route decides every row of a batch, records the batch in the ledger, then
// hands each row on.
func (r *run) route(batch []Row) error {
	ids := make([]string, 0, len(batch))
	for _, row := range batch {
		if row.Problem != nil {
			continue
		}
		ids = append(ids, Identity(row.Request))
		if row.Request.ExternalID != "" {
			// An export that gained an external_id since an earlier run:
			// what that run did is under the row's email.
			ids = append(ids, emailIdentity(row))
		}
	}
	prior, err := r.ledger.Recall(r.ledgerCtx, ids)
	if err == nil {
		err = r.recallEmails(batch, prior)
	}
	if err != nil {
		return fmt.Errorf("read ledger: %w", err)
	}
	p := r.plan(batch, prior)
	if len(p.marks) > 0 {
		if err := r.ledger.Begin(r.ledgerCtx, p.marks); err != nil {
			return fmt.Errorf("write ledger: %w", err)
		}
	}
	for _, res := range p.done {
		r.results <- res
	}
	for _, j := range p.jobs {
		r.grow()
		select {
		case r.jobs <- j:
		case <-r.stopCtx.Done():
			r.leave(j, false)
		}
	}
	return nil
}

// recallEmails fills in, for rows without an external_id that the ledger
// does not know by email, what it holds under an external_id with that
// email: the export lost its external_id column, and sending them would
// create twins of customers already imported.
func (r *run) recallEmails(batch []Row, prior map[string]Prior) error {
	var emails []string
	for _, row := range batch {
		if row.Problem != nil || row.Request.ExternalID != "" {
			continue
		}
		if _, ok := prior[Identity(row.Request)]; !ok {
			emails = append(emails, strings.ToLower(row.Request.Email))
		}
	}
	if len(emails) == 0 {
		return nil
	}
	found, err := r.ledger.RecallEmails(r.ledgerCtx, emails)
	for email, p := range found {
		prior[Identity(client.CreateCustomerRequest{Email: email})] = p
	}
	return err
}

// routing is what plan decided for a batch.
type routing struct {
	marks []Mark
	jobs  []job
	done  []Result
}

// plan decides, for each row of a batch, whether it is finished at once
// (invalid, a duplicate, known to the ledger) or must be sent.
func (r *run) plan(batch []Row, prior map[string]Prior) routing {
	var p routing
	first := make(map[string]int, len(batch)) // identities of this batch → line
	var emails batchEmails
	for i, row := range batch {
		res := row.result()
		if pb := row.Problem; pb != nil {
			res.Status, res.ErrorType, res.Message, res.FieldErrors = StatusInvalid, pb.Type, pb.Message, pb.FieldErrors
			p.done = append(p.done, res)
			continue
		}
		id := Identity(row.Request)
		pr := prior[id]
		adopt := adoptable(row, pr, prior)
		if adopt != nil {
			pr.State, pr.CustomerID, pr.Input, pr.Line, pr.At = adopt.State, adopt.CustomerID, adopt.Input, adopt.Line, adopt.At
		}
		inBatch, text := first[id], identityText(row)
		if other := emails.other(row); inBatch == 0 && other != 0 {
			inBatch, text = other, "email "+row.Request.Email
		}
		if line := r.seenBefore(inBatch, pr, row.Line); line != 0 {
			res.Status, res.ErrorType = StatusDuplicate, ErrorTypeDuplicate
			res.Message = "same " + text + " as line " + strconv.Itoa(line)
			p.done = append(p.done, res)
			continue
		}
		first[id] = row.Line
		emails.add(row)
		if r.planRow(&p, row, id, pr, res, adopt) && r.spendLimit() {
			r.counters.skipped.Add(int64(len(batch) - i - 1)) // read, but after the limit
			return p
		}
	}
	return p
}

// batchEmails are the emails of a batch's rows, apart by whether the row
// has an external_id. A row with one and a row without one that share an
// email are one customer: across batches the ledger finds it (adoption,
// RecallEmails); within a batch this does.
type batchEmails struct{ withID, without map[string]int }

func (b *batchEmails) add(row Row) {
	m := &b.without
	if row.Request.ExternalID != "" {
		m = &b.withID
	}
	if *m == nil {
		*m = map[string]int{}
	}
	email := strings.ToLower(row.Request.Email)
	if _, ok := (*m)[email]; !ok {
		(*m)[email] = row.Line
	}
}

// other is the first line of the batch with the row's email and the other
// kind of identity, or 0.
func (b *batchEmails) other(row Row) int {
	email := strings.ToLower(row.Request.Email)
	if row.Request.ExternalID != "" {
		return b.without[email]
	}
	return b.withID[email]
}

// spendLimit counts one row against Config.Limit and reports whether that
// was the last one allowed.
func (r *run) spendLimit() bool {
	if r.cfg.Limit <= 0 {
		return false
	}
	if r.toGo--; r.toGo > 0 {
		return false
	}
	r.counters.limited.Store(true)
	close(r.full)
	return true
}

// seenBefore is the line where this run first met the row's identity, or 0.
func (r *run) seenBefore(inBatch int, pr Prior, line int) int {
	switch {
	case inBatch != 0:
		return inBatch
	case pr.SeenRun == r.cfg.RunID && pr.SeenLine != 0 && pr.SeenLine != line:
		return pr.SeenLine
	}
	return 0
}

// adoptable is what the ledger knew of a row under its email when it knows
// nothing under its external_id, and the email's entry says the customer
// was (or may have been) created: that customer has no external_id, and
// creating the row with one would make a twin.
func adoptable(row Row, pr Prior, prior map[string]Prior) *Prior {
	if row.Request.ExternalID == "" || pr.State != "" {
		return nil
	}
	if byEmail, ok := prior[emailIdentity(row)]; ok && (byEmail.known() || byEmail.maybeSent()) {
		return &byEmail
	}
	return nil
}

// planRow routes one row that is not a duplicate. It reports whether the
// row counts against Config.Limit: it is to be sent (in a dry run: would
// be).
func (r *run) planRow(p *routing, row Row, id string, pr Prior, res Result, adopt *Prior) bool {
	hasExt := row.Request.ExternalID != "" && adopt == nil
	mark := Mark{Identity: id, Line: row.Line, ExternalID: row.Request.ExternalID, Email: row.Request.Email, Adopt: adopt}
	switch {
	case pr.known() && (!r.cfg.Recheck || !hasExt || r.cfg.DryRun):
		res.Status, res.CustomerID, res.Message = StatusExists, pr.CustomerID, importedMessage(pr)
		switch {
		case adopt != nil:
			res.Message += " by its email, before the export gave it an external_id; that customer has no external_id in Prolifi"
		case pr.ExternalID != "":
			res.Message += " with external_id " + pr.ExternalID + ", found by its email (this row has no external_id)"
		case r.cfg.Recheck && !hasExt:
			res.Message += "; not rechecked: without an external_id the API cannot look it up"
		}
	case pr.maybeSent() && !hasExt && !r.cfg.RetryUnknown:
		res.Status, res.ErrorType = StatusFailed, ErrorTypeOutcomeUnknown
		res.Message = "an earlier run sent this row (" + where(pr) + ") and got no answer: " + unknownMessage(res.Email)
		if pr.State == PriorPending {
			res.Message = "an earlier run was stopped hard (killed, or the machine went down) while this row (" + where(pr) +
				") was about to be sent or in flight, so it may or may not have been created; " + settleAdvice(res.Email)
		}
	case r.cfg.DryRun:
		res.Status = StatusValid
	default:
		mark.Pending = true
		p.marks = append(p.marks, mark)
		p.jobs = append(p.jobs, job{row: row, recheck: pr.known(), maybeSent: pr.maybeSent() && hasExt,
			failedBefore: pr.State == PriorFailed || pr.State == PriorInvalid})
		return true
	}
	p.marks = append(p.marks, mark)
	p.done = append(p.done, res)
	return res.Status == StatusValid
}

// identityText names a row's identity for a message.
func identityText(row Row) string {
	if row.Request.ExternalID != "" {
		return "external_id " + row.Request.ExternalID
	}
	return "email " + row.Request.Email
}

// importedMessage says where the ledger's knowledge of a customer comes from.
func importedMessage(pr Prior) string {
	verb := "imported"
	if pr.State == PriorExists {
		verb = "found in Prolifi"
	}
	return verb + " on " + pr.At.UTC().Format("2006-01-02") + " (" + where(pr) + ")"
}

func where(pr Prior) string {
	return "line " + strconv.Itoa(pr.Line) + " of " + filepath.Base(pr.Input)
}
