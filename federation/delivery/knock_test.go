package delivery_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/federation/delivery"
	"codeberg.org/convene/convene/federation/httpsig"
)

// verifyingInbox is a fake inbox (a fakeNet handler) that verifies every
// request with our own Verifier. cavageOnly makes it refuse RFC 9421
// signatures with 401, as GoToSocial does. It logs "METHOD scheme" for
// each request it verified, "refused" for each refusal.
type verifyingInbox struct {
	v          *httpsig.Verifier
	cavageOnly bool

	mu  sync.Mutex
	log []string
}

func newVerifyingInbox(t *testing.T, cavageOnly bool) *verifyingInbox {
	t.Helper()
	v, err := httpsig.NewVerifier(httpsig.Config{Keys: staticKey{testKey(t).Public()}})
	require.NoError(t, err)
	return &verifyingInbox{v: v, cavageOnly: cavageOnly}
}

func (in *verifyingInbox) handle(r request) answer {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.cavageOnly && r.Header.Get("Signature-Input") != "" {
		in.log = append(in.log, "refused")
		return answer{status: http.StatusUnauthorized}
	}
	res, err := in.v.Verify(context.Background(), r.Req, r.Body)
	if err != nil {
		in.log = append(in.log, "bad: "+err.Error())
		return answer{status: http.StatusUnauthorized}
	}
	in.log = append(in.log, r.Req.Method+" "+string(res.Scheme))
	return answer{status: http.StatusAccepted}
}

func (in *verifyingInbox) seen() []string {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]string(nil), in.log...)
}

func TestWorkerDoubleKnocks(t *testing.T) {
	tests := []struct {
		name       string
		cavageOnly bool
		first      []string // what the inbox saw of the first POST
		second     []string // and of the second
		known      httpsig.Scheme
	}{
		{"cavage-only inbox", true, []string{"refused", "POST draft-cavage"}, []string{"POST draft-cavage"}, httpsig.Cavage},
		{"RFC 9421 inbox", false, []string{"POST rfc9421"}, []string{"POST rfc9421"}, httpsig.RFC9421},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				knocks := &httpsig.Knocks{}
				h := start(t, delivery.Config{Knocks: knocks, UserAgent: "Convene/test"})
				defer h.stop()
				in := newVerifyingInbox(t, tt.cavageOnly)
				h.net.handle("peer.example", in.handle)

				h.enqueue("1", "https://peer.example/inbox")
				synctest.Wait()
				assert.Equal(t, tt.first, in.seen(), "first POST")
				assert.Equal(t, tt.known, knocks.Known("peer.example"))
				h.enqueue("2", "https://peer.example/inbox")
				synctest.Wait()
				assert.Equal(t, append(tt.first, tt.second...), in.seen(), "second POST")

				reqs := h.net.requests("")
				require.Len(t, reqs, len(tt.first)+len(tt.second))
				for i, r := range reqs {
					n := "1"
					if i >= len(tt.first) {
						n = "2"
					}
					assert.Equal(t, string(activity(n).Body), string(r.Body), "request %d: the same body", i)
					assert.Equal(t, delivery.ContentType, r.Header.Get("Content-Type"), "request %d", i)
					assert.Equal(t, "Convene/test", r.Header.Get("User-Agent"), "request %d", i)
					assert.Equal(t, h.t0, r.At, "request %d: the fallback is in the same attempt, without waiting", i)
				}
				queued, dead := h.counts()
				assert.Zero(t, queued+dead, "both delivered")
			})
		})
	}
}

// A host that refused RFC 9421 to the instance actor's signed GET (a
// Transport sharing the Knocks) gets its POSTs signed with draft-cavage
// straight away.
func TestWorkerPostsCavageToHostsLearntByGET(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		knocks := &httpsig.Knocks{}
		h := start(t, delivery.Config{Knocks: knocks})
		defer h.stop()
		in := newVerifyingInbox(t, true)
		h.net.handle("gts.example", in.handle)

		s, err := httpsig.NewSigner(httpsig.SignerConfig{KeyID: localKeyID, Key: testKey(t)})
		require.NoError(t, err)
		fetcher := &http.Client{Transport: &httpsig.Transport{Base: h.net, Signer: s, Mode: httpsig.DoubleKnock, Knocks: knocks}}
		req, err := http.NewRequest(http.MethodGet, "https://gts.example/users/ana", nil)
		require.NoError(t, err)
		resp, err := fetcher.Do(req)
		require.NoError(t, err)
		_ = resp.Body.Close()
		require.Equal(t, []string{"refused", "GET draft-cavage"}, in.seen())

		h.enqueue("1", "https://gts.example/inbox")
		synctest.Wait()
		assert.Equal(t, []string{"refused", "GET draft-cavage", "POST draft-cavage"}, in.seen())
		queued, dead := h.counts()
		assert.Zero(t, queued+dead)
	})
}

// The answer that counts is the last one, classified as without the
// knock: same verdict, same retries, same Gone report, whether the host
// is unknown (every attempt knocks, as the cavage POST never succeeds)
// or known to be cavage-only.
func TestWorkerKnockKeepsRetryRules(t *testing.T) {
	type result struct {
		cavagePOSTs, rfcPOSTs, queued, dead, gone int
	}
	// run delivers one activity to h.example for 90 s (one retry after
	// Backoff(1) = 1 min) with knocks (nil: a plain cavage worker), the
	// inbox answering status to draft-cavage and 401 to RFC 9421.
	run := func(t *testing.T, status int, knocks *httpsig.Knocks) result {
		var r result
		synctest.Test(t, func(t *testing.T) {
			h := start(t, delivery.Config{Knocks: knocks})
			defer h.stop()
			h.net.handle("h.example", func(r request) answer {
				if r.Header.Get("Signature-Input") != "" {
					return answer{status: http.StatusUnauthorized}
				}
				return answer{status: status}
			})
			h.enqueue("1", "https://h.example/users/a/inbox")
			h.until(90 * time.Second)
			for _, req := range h.net.requests("h.example") {
				if req.Header.Get("Signature-Input") != "" {
					r.rfcPOSTs++
				} else {
					r.cavagePOSTs++
				}
			}
			r.queued, r.dead = h.counts()
			r.gone = len(h.gone)
		})
		return r
	}
	statuses := []int{http.StatusAccepted, http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden,
		http.StatusNotFound, http.StatusGone, http.StatusTooManyRequests, http.StatusServiceUnavailable}
	for _, status := range statuses {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			t.Parallel()
			plain := run(t, status, nil)
			require.Zero(t, plain.rfcPOSTs)
			require.NotZero(t, plain.cavagePOSTs)

			unknown := run(t, status, &httpsig.Knocks{})
			assert.Equal(t, plain, result{cavagePOSTs: unknown.cavagePOSTs, queued: unknown.queued, dead: unknown.dead, gone: unknown.gone},
				"unknown host: classified as without the knock")
			wantKnocks := unknown.cavagePOSTs // each attempt knocks until a cavage POST succeeds
			if status < 400 {
				wantKnocks = 1
			}
			assert.Equal(t, wantKnocks, unknown.rfcPOSTs, "unknown host: RFC 9421 knocks")

			known := &httpsig.Knocks{}
			_, err := known.Knock("h.example", http.MethodGet, func(s httpsig.Scheme) (*http.Response, error) {
				if s == httpsig.RFC9421 {
					return &http.Response{StatusCode: http.StatusUnauthorized, Body: http.NoBody}, nil
				}
				return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody}, nil
			})
			require.NoError(t, err)
			require.Equal(t, httpsig.Cavage, known.Known("h.example"))
			assert.Equal(t, plain, run(t, status, known), "cavage-only host: exactly as without the knock")
		})
	}
}
