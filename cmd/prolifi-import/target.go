package main

import (
	"fmt"
	"net/http"
	"os"
	"strings"

	"go.uber.org/zap"

	"github.com/prolifi/prolifi-import/client"
	"github.com/prolifi/prolifi-import/client/sandbox"
	"github.com/prolifi/prolifi-import/importer"
)

// target is where a run's requests go: the API root, the client for it
// (none in a dry run), and the key's fingerprint that names the target in
// the ledger.
type target struct {
	api     *client.Client // nil in a dry run
	base    string
	keyHash string // "" when no key is known (a dry run without one)
	local   bool
	stop    func()
}

// host names the target for people.
func (t *target) host() string {
	if u := strings.TrimPrefix(strings.TrimPrefix(t.base, "https://"), "http://"); u != "" {
		host, _, _ := strings.Cut(u, "/")
		return host
	}
	return t.base
}

// creator is the importer's view of the client; nil in a dry run.
func (t *target) creator() importer.Creator {
	if t.api == nil {
		return nil
	}
	return t.api
}

// connect works out the target and, unless the run is a dry one, builds
// the client after every check that must pass before a request: a key that
// is malformed or cannot be sent in a header, a read-only key, or a key of
// the wrong environment is refused.
func connect(c *config, getenv func(string) string, log *zap.Logger) (*target, error) {
	if c.target.local {
		return startLocal(c, log)
	}
	base := liveURL
	switch {
	case c.target.sandbox:
		base = sandboxURL
	case c.target.baseURL != "":
		base = c.target.baseURL
	}
	base, err := client.CheckBaseURL(base)
	if err != nil {
		return nil, usageErr("%v", err)
	}
	t := &target{base: base, stop: func() {}}
	key, err := readKey(c, getenv, log)
	if err != nil && !c.dryRun {
		return nil, err
	}
	if key == "" {
		return t, nil // a dry run without a key consults the ledger by base URL
	}
	if err := checkKey(key, base); err != nil {
		return nil, err
	}
	t.keyHash = keyFingerprint(key)
	if c.dryRun {
		return t, nil
	}
	if t.api, err = newClient(base, key, c); err != nil {
		return nil, usageErr("%v", err)
	}
	if base == liveURL {
		log.Warn("writing to the LIVE Prolifi API: customers created now are real", zap.String("host", t.host()))
	}
	return t, nil
}

// checkKey refuses a key that cannot do this run's job.
func checkKey(key, base string) error {
	kind, err := client.ParseKey(key)
	switch {
	case err != nil:
		return usageErr("%v", err)
	case !kind.CanWrite():
		return usageErr("api key is a read-only %s key: creating customers needs a secret key (sk_test_… or sk_live_…)", kind)
	case base == liveURL && !kind.Live:
		return usageErr("an sk_test_ key cannot write to the live API: use --sandbox, or an sk_live_ key")
	case base == sandboxURL && kind.Live:
		return usageErr("an sk_live_ key must not be used with --sandbox: use an sk_test_ key")
	}
	return nil
}

func newClient(base, key string, c *config) (*client.Client, error) {
	hc := &http.Client{Transport: client.NewTransport(max(c.pace.workers, importer.MaxAutoWorkers))}
	return client.New(base, key, client.WithHTTPClient(hc), client.WithTimeout(c.target.timeout), client.WithUserAgent("prolifi-import/"+version))
}

// readKey takes the key from --api-key-file or PROLIFI_API_KEY.
func readKey(c *config, getenv func(string) string, log *zap.Logger) (string, error) {
	if c.target.keyFile != "" {
		st, err := os.Stat(c.target.keyFile)
		if err != nil {
			return "", usageErr("read --api-key-file: %v", err)
		}
		// Readable by its group is how Kubernetes mounts a Secret for a
		// non-root container (fsGroup); readable by everyone is a leak.
		if st.Mode().Perm()&0o004 != 0 {
			log.Warn("the API key file can be read by other users: chmod 600 it", zap.String("file", c.target.keyFile))
		}
		b, err := os.ReadFile(c.target.keyFile)
		if err != nil {
			return "", usageErr("read --api-key-file: %v", err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	if k := strings.TrimSpace(getenv("PROLIFI_API_KEY")); k != "" {
		return k, nil
	}
	return "", usageErr("no API key: set PROLIFI_API_KEY or pass --api-key-file (or use --local or --dry-run)")
}

// startLocal serves the emulator on a free loopback port, for --local.
func startLocal(c *config, log *zap.Logger) (*target, error) {
	emu, err := sandbox.Start("", sandbox.New(sandbox.Config{}))
	if err != nil {
		return nil, fmt.Errorf("start local emulator: %w", err)
	}
	base := emu.BaseURL
	t := &target{base: base, local: true, keyHash: keyFingerprint("sk_test_local"), stop: emu.Close}
	if !c.dryRun {
		if t.api, err = newClient(base, "sk_test_local", c); err != nil {
			t.stop()
			return nil, err
		}
	}
	log.Info("using an emulator of the API in this process", zap.String("base_url", base))
	return t, nil
}
