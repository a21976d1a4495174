package cli_test

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// peakRSSLimit is what a dcc serve process may reach, at its peak, while 48
// photos of 16 megapixels (the largest accepted) and 8 of 39.6 megapixels
// arrive at once, with the default bounds (256 MiB of decoding, five places
// per slot): measured about 300 MiB, and the limit leaves the Go
// collector's headroom over the decoding budget. Without the bounds the
// same photos took it to 6.7 GB (docs/benchmarks.md).
const peakRSSLimit = 640 << 20

// A real dcc serve, built without the race detector (whose shadow memory
// would be measured too), under many concurrent large photos: its peak
// resident memory (VmHWM) stays under peakRSSLimit. Each photo is verified,
// refused as too large (413) or asked to come back (429); none fails.
func TestImageDecodingBoundsMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("runs dcc serve under 56 concurrent photos of up to 40 megapixels")
	}
	if runtime.GOOS != "linux" {
		t.Skip("reads the peak memory from /proc")
	}
	bin, gen := buildDCC(t)
	dir := t.TempDir()
	cmd := exec.Command(bin, "serve", "--data", filepath.Join(dir, "data"), "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "GOMAXPROCS=2") // the slots, as on the project's machines
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &lockedWriter{w: &stderr}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	url := serveURL(t, stdout, &stderr)

	photos := largePhotos(t, gen)
	type shot struct {
		name string
		data []byte
	}
	var shots []shot
	for i := range 48 {
		name := []string{"png-code", "png-no-code", "jpeg-code", "png16-code"}[i%4]
		shots = append(shots, shot{name, photos[name]})
	}
	for range 8 {
		shots = append(shots, shot{"png-40mp", photos["png-40mp"]})
	}
	hc := &http.Client{Timeout: 3 * time.Minute}
	statuses := make([]int, len(shots))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, s := range shots {
		wg.Go(func() {
			<-start
			ct := "image/png"
			if strings.HasPrefix(s.name, "jpeg") {
				ct = "image/jpeg"
			}
			res, err := hc.Post(url+"/api/v1/verify?lang=en", ct, bytes.NewReader(s.data))
			if err != nil {
				t.Errorf("%s: %v", s.name, err)
				return
			}
			res.Body.Close()
			statuses[i] = res.StatusCode
		})
	}
	close(start)
	wg.Wait()
	count := map[string]int{}
	for i, s := range shots {
		count[fmt.Sprintf("%s %d", s.name, statuses[i])]++
		want := map[int]bool{http.StatusOK: true, http.StatusTooManyRequests: true}
		if s.name == "png-40mp" {
			want = map[int]bool{http.StatusRequestEntityTooLarge: true, http.StatusTooManyRequests: true}
		}
		if !want[statuses[i]] {
			t.Errorf("%s: status %d", s.name, statuses[i])
		}
	}
	ok := 0
	for _, st := range statuses {
		if st == http.StatusOK {
			ok++
		}
	}
	if ok < 2 {
		t.Errorf("only %d photos verified: %v", ok, count)
	}
	hwm := peakRSS(t, cmd.Process.Pid)
	t.Logf("peak RSS %d MiB (limit %d MiB); outcomes %v", hwm>>20, peakRSSLimit>>20, count)
	if hwm > peakRSSLimit {
		t.Errorf("dcc serve peaked at %d MiB under concurrent photos, over %d MiB", hwm>>20, peakRSSLimit>>20)
	}
}

// buildDCC builds the dcc command and the photo generator
// (testdata/photos), without the race detector and cgo.
func buildDCC(t *testing.T) (dcc, photos string) {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH: dcc cannot be built without the race detector")
	}
	dir := t.TempDir()
	build := exec.Command(goCmd, "build", "-o", dir+string(filepath.Separator), "dcc/cmd/dcc", "./testdata/photos")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return filepath.Join(dir, "dcc"), filepath.Join(dir, "photos")
}

// largePhotos are 4000×4000 photos (16 megapixels, the default bound) of a
// QR code, in 8-bit and 16-bit PNG and in JPEG, one without a code (every
// attempt of the decoder is made on it), and a 6000×6600 one (39.6
// megapixels, refused by its header): drawn by testdata/photos.
func largePhotos(t *testing.T, gen string) map[string][]byte {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command(gen, dir).CombinedOutput(); err != nil {
		t.Fatalf("photos: %v\n%s", err, out)
	}
	out := map[string][]byte{}
	for _, name := range []string{"png-code", "png16-code", "jpeg-code", "png-no-code", "png-40mp"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		out[name] = b
	}
	return out
}

// serveURL reads the address from dcc serve's banner.
func serveURL(t *testing.T, stdout interface{ Read([]byte) (int, error) }, stderr *bytes.Buffer) string {
	t.Helper()
	banner := regexp.MustCompile(` on (https?://\S+)$`)
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := banner.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
	}()
	select {
	case u := <-found:
		return u
	case <-time.After(2 * time.Minute):
		t.Fatalf("dcc serve did not start: %s", stderr)
		return ""
	}
}

// peakRSS is a process's peak resident memory in bytes (VmHWM).
func peakRSS(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^VmHWM:\s+(\d+) kB$`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("no VmHWM in /proc/%d/status", pid)
	}
	kb, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return kb << 10
}
