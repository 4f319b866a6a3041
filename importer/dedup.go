package importer

import (
	"hash/maphash"
	"strings"

	"github.com/prolifi/prolifi-import/client"
)

// dedup remembers, for every valid row seen, a 64-bit hash of its key and
// the line it was first seen on: about 20 to 40 bytes a row, however long the
// keys. Two different keys share a hash with odds near 1 in 10^7 for a
// billion rows; the cost of such a collision is one row reported as a
// duplicate, never a customer created twice.
type dedup struct {
	seed  maphash.Seed
	first map[uint64]uint32
}

func newDedup() *dedup { return &dedup{seed: maphash.MakeSeed(), first: make(map[uint64]uint32)} }

// key is the row's identity: its external_id, or its email when it has none.
func (d *dedup) key(r client.CreateCustomerRequest) uint64 {
	var h maphash.Hash
	h.SetSeed(d.seed)
	if r.ExternalID != "" {
		h.WriteByte('x')
		h.WriteString(r.ExternalID)
	} else {
		h.WriteByte('e')
		h.WriteString(strings.ToLower(r.Email))
	}
	return h.Sum64()
}

// see records line for r and returns the first line that had r's key, or 0
// when r is the first.
func (d *dedup) see(r client.CreateCustomerRequest, line int) int {
	k := d.key(r)
	if first, ok := d.first[k]; ok {
		return int(first)
	}
	d.first[k] = uint32(line)
	return 0
}
