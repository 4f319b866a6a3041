package ledger

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
)

func TestFilePermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no permission bits")
	}
	path := ledgerPath(t)
	l := openT(t, path, targetA())
	apply(t, l, pending("x:1", "r1", 2))
	lookup(t, l, "x:1")
	tests := []struct {
		path string
		want fs.FileMode
	}{
		{filepath.Dir(path), fs.ModeDir | 0o700},
		{path, 0o600},
		{path + "-wal", 0o600},
		{path + "-shm", 0o600},
		{path + ".lock", 0o600},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			fi, err := os.Stat(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode() != tt.want {
				t.Errorf("mode %v, want %v", fi.Mode(), tt.want)
			}
		})
	}
}

// TestAnEmptyFileGetsALedgersMode: an empty file made beforehand (touch,
// or a mounted volume's file) that becomes a ledger is made private, for it
// will hold customers' emails; SQLite gives the -wal and -shm files its mode.
func TestAnEmptyFileGetsALedgersMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no permission bits")
	}
	path := filepath.Join(t.TempDir(), "ledger.db")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil { // whatever the umask
		t.Fatal(err)
	}
	l := openT(t, path, targetA())
	apply(t, l, pending("x:1", "r1", 2))
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if fi, err := os.Stat(p); err != nil || fi.Mode() != 0o600 {
			t.Errorf("%s: %v %v, want mode 0600", filepath.Base(p), fi.Mode(), err)
		}
	}
}

// foreignSQLite makes an SQLite database of another program at path.
func foreignSQLite(t *testing.T, path string, setup string) {
	t.Helper()
	db, err := sql.Open(driverName, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(setup); err != nil {
		t.Fatal(err)
	}
}

func TestForeignFilesAreRefusedAndLeftAlone(t *testing.T) {
	tests := []struct {
		name string
		make func(t *testing.T, path string)
	}{
		{"a CSV", func(t *testing.T, path string) {
			os.WriteFile(path, []byte("external_id,email\n1,a@b.c\n"), 0o644)
		}},
		{"a short binary", func(t *testing.T, path string) { os.WriteFile(path, []byte{0, 1, 2}, 0o644) }},
		{"another program's SQLite", func(t *testing.T, path string) {
			foreignSQLite(t, path, "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me')")
		}},
		{"another program's SQLite in WAL mode", func(t *testing.T, path string) {
			foreignSQLite(t, path, "PRAGMA journal_mode=WAL; CREATE TABLE notes (body TEXT)")
		}},
		{"an SQLite with another application id", func(t *testing.T, path string) {
			foreignSQLite(t, path, "PRAGMA application_id = 42; PRAGMA user_version = 1; CREATE TABLE entries (x)")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "ledger.db")
			tt.make(t, path)
			before, _ := os.ReadFile(path)
			beforeDir := dirNames(t, dir)
			_, err := Open(context.Background(), path, targetA(), Options{})
			if !errors.Is(err, ErrNotLedger) {
				t.Errorf("Open: %v, want ErrNotLedger", err)
			}
			_, err = OpenReadOnly(context.Background(), path, "", "")
			if !errors.Is(err, ErrNotLedger) {
				t.Errorf("OpenReadOnly: %v, want ErrNotLedger", err)
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
				t.Error("the file changed")
			}
			if after := dirNames(t, dir); !slices.Equal(beforeDir, after) {
				t.Errorf("files beside it: %v, before %v", after, beforeDir)
			}
		})
	}
}

func TestForeignLockFileIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.db")
	os.WriteFile(path+".lock", []byte("my notes\n"), 0o644)
	if _, err := Open(context.Background(), path, targetA(), Options{}); !errors.Is(err, ErrNotLedger) {
		t.Errorf("Open: %v, want ErrNotLedger", err)
	}
	if b, _ := os.ReadFile(path + ".lock"); string(b) != "my notes\n" {
		t.Errorf("the lock file became %q", b)
	}
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestSymlinksAreRefused(t *testing.T) {
	for _, link := range []string{"ledger.db", "ledger.db.lock"} {
		t.Run(link, func(t *testing.T) {
			dir := t.TempDir()
			elsewhere := filepath.Join(dir, "elsewhere")
			if err := os.Symlink(elsewhere, filepath.Join(dir, link)); err != nil {
				t.Skip("no symlinks here:", err)
			}
			_, err := Open(context.Background(), filepath.Join(dir, "ledger.db"), targetA(), Options{})
			if !errors.Is(err, ErrSymlink) {
				t.Errorf("Open: %v, want ErrSymlink", err)
			}
			if _, err := os.Lstat(elsewhere); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("the link's target was created")
			}
		})
	}
}

func TestReadOnlyOfAMissingLedger(t *testing.T) {
	dir := t.TempDir()
	for _, path := range []string{filepath.Join(dir, "ledger.db"), filepath.Join(dir, "state", "ledger.db")} {
		_, err := OpenReadOnly(context.Background(), path, "", "")
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("OpenReadOnly(%s): %v, want fs.ErrNotExist", path, err)
		}
	}
	if names := dirNames(t, dir); len(names) != 0 {
		t.Errorf("created %v", names)
	}
}

func TestReadOnlyTakesNoLock(t *testing.T) {
	path := ledgerPath(t)
	w := openT(t, path, targetA())
	apply(t, w, outcome("x:1", "r1", 2, StateCreated, "c1"))
	r := openRO(t, path, "", "")
	if e := lookup(t, r, "x:1")["x:1"]; e.CustomerID != "c1" {
		t.Errorf("reader beside the writer: %+v", e)
	}
	w.Close()
	w2 := openT(t, path, targetA()) // a writer opens beside a reader
	apply(t, w2, outcome("x:2", "r2", 2, StateCreated, "c2"))
	if e := lookup(t, r, "x:2")["x:2"]; e.CustomerID != "c2" {
		t.Errorf("reader sees no later commit: %+v", e)
	}
}

func TestOtherSchemaVersionsAreRefusedAndLeftAlone(t *testing.T) {
	tests := []struct {
		name    string
		version int
		want    error
	}{
		{"newer", 99, ErrNewerSchema},
		{"older", 1, ErrOlderSchema},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ledgerPath(t)
			openT(t, path, targetA()).Close()
			db, err := sql.Open(driverName, path)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(fmt.Sprintf("PRAGMA user_version = %d", tt.version)); err != nil {
				t.Fatal(err)
			}
			db.Close()
			before, _ := os.ReadFile(path)
			if _, err := Open(context.Background(), path, targetA(), Options{}); !errors.Is(err, tt.want) {
				t.Errorf("Open: %v, want %v", err, tt.want)
			}
			if _, err := OpenReadOnly(context.Background(), path, "", ""); !errors.Is(err, tt.want) {
				t.Errorf("OpenReadOnly: %v, want %v", err, tt.want)
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
				t.Error("the file changed")
			}
		})
	}
}

func TestAnEmptyFileBecomesALedger(t *testing.T) {
	// An empty file is what a crash between creating the file and writing
	// the schema leaves; it holds nothing to lose.
	path := filepath.Join(t.TempDir(), "ledger.db")
	os.WriteFile(path, nil, 0o600)
	if _, err := OpenReadOnly(context.Background(), path, "", ""); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("OpenReadOnly of an empty file: %v, want fs.ErrNotExist", err)
	}
	l := openT(t, path, targetA())
	apply(t, l, pending("x:1", "r1", 2))
	if len(lookup(t, l, "x:1")) != 1 {
		t.Error("no entry")
	}
}
