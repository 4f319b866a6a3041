package importer

import "hash/maphash"

// dedup remembers, for every identity seen, a 64-bit hash of it and the line
// it was first seen on: about 20 to 40 bytes an identity, however long. Two
// different identities share a hash with odds near 1 in 10^7 for a billion
// rows; the cost of such a collision is one row reported as a duplicate,
// never a customer created twice. Only runs that may not write the ledger
// (a dry run) keep it; the others keep what they saw in the ledger.
type dedup struct {
	seed  maphash.Seed
	lines map[uint64]uint32
}

func newDedup() *dedup { return &dedup{seed: maphash.MakeSeed(), lines: make(map[uint64]uint32)} }

func (d *dedup) hash(id string) uint64 { return maphash.String(d.seed, id) }

// see records line for id unless id was seen before.
func (d *dedup) see(id string, line int) {
	k := d.hash(id)
	if _, ok := d.lines[k]; !ok {
		d.lines[k] = uint32(line)
	}
}

// first returns the line id was first seen on, or 0.
func (d *dedup) first(id string) int { return int(d.lines[d.hash(id)]) }
