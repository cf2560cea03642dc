package mailtest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/mail"
	"codeberg.org/convene/convene/mail/mailtest"
)

func TestRecorder(t *testing.T) {
	t.Parallel()
	r := mailtest.New()
	ctx := context.Background()
	att := []byte("ics")
	require.NoError(t, r.Send(ctx, mail.Message{To: "a@example.net", Subject: "one",
		Attachments: []mail.Attachment{{Name: "e.ics", Data: att}}}))
	att[0] = 'X' // the recorder keeps its own copy
	boom := errors.New("boom")
	r.Fail(boom)
	require.ErrorIs(t, r.Send(ctx, mail.Message{To: "b@example.net"}), boom)
	r.Fail(nil)
	msgs := r.Messages()
	require.Len(t, msgs, 1)
	assert.Equal(t, "one", msgs[0].Subject)
	assert.Equal(t, "ics", string(msgs[0].Attachments[0].Data))

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	require.ErrorIs(t, r.Send(cancelled, mail.Message{}), context.Canceled)

	r.Reset()
	assert.Equal(t, 0, r.Len())
}

func TestRecorderWait(t *testing.T) {
	t.Parallel()
	r := mailtest.New()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	go func() {
		for _, s := range []string{"a", "b"} {
			_ = r.Send(ctx, mail.Message{Subject: s})
		}
	}()
	msgs, err := r.Wait(ctx, 2)
	require.NoError(t, err)
	assert.Equal(t, "b", msgs[1].Subject)

	short, cancel2 := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel2()
	_, err = r.Wait(short, 3)
	require.ErrorIs(t, err, context.DeadlineExceeded)
}
