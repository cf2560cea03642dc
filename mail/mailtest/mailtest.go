// Package mailtest provides an in-memory mail.Sender for tests: it keeps
// the messages it is given, can be made to fail, and lets a test wait
// for messages sent from another goroutine.
package mailtest

import (
	"context"
	"sync"

	"codeberg.org/convene/convene/mail"
)

// Recorder is a mail.Sender that records messages in memory. The zero
// value is ready to use; it is safe for concurrent use.
type Recorder struct {
	mu   sync.Mutex
	msgs []mail.Message
	err  error
	wake chan struct{} // closed and replaced on each Send
}

// New returns an empty Recorder.
func New() *Recorder { return &Recorder{} }

// Send records m, or returns the error set with Fail without recording
// it. It honours a cancelled context like a real sender.
func (r *Recorder) Send(ctx context.Context, m mail.Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return r.err
	}
	m.Attachments = cloneAttachments(m.Attachments)
	r.msgs = append(r.msgs, m)
	if r.wake != nil {
		close(r.wake)
		r.wake = nil
	}
	return nil
}

// Fail makes every following Send return err (nil: succeed again).
func (r *Recorder) Fail(err error) {
	r.mu.Lock()
	r.err = err
	r.mu.Unlock()
}

// Messages returns a copy of the recorded messages, in order of sending.
func (r *Recorder) Messages() []mail.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]mail.Message, len(r.msgs))
	copy(out, r.msgs)
	return out
}

// Len returns the number of recorded messages.
func (r *Recorder) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.msgs)
}

// Reset forgets the recorded messages.
func (r *Recorder) Reset() {
	r.mu.Lock()
	r.msgs = nil
	r.mu.Unlock()
}

// Wait blocks until at least n messages are recorded, then returns them
// all; or returns the context's error.
func (r *Recorder) Wait(ctx context.Context, n int) ([]mail.Message, error) {
	for {
		r.mu.Lock()
		if len(r.msgs) >= n {
			out := make([]mail.Message, len(r.msgs))
			copy(out, r.msgs)
			r.mu.Unlock()
			return out, nil
		}
		if r.wake == nil {
			r.wake = make(chan struct{})
		}
		wake := r.wake
		r.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func cloneAttachments(as []mail.Attachment) []mail.Attachment {
	if as == nil {
		return nil
	}
	out := make([]mail.Attachment, len(as))
	for i, a := range as {
		a.Data = append([]byte(nil), a.Data...)
		out[i] = a
	}
	return out
}
