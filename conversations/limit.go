package conversations

import (
	"sync"
	"time"
)

// receiveLimit counts the messages received per remote author in a
// sliding ReceiveWindow (MaxReceivedPerAuthor), in memory, for at most
// MaxTrackedAuthors authors.
type receiveLimit struct {
	mu      sync.Mutex
	authors map[string][]time.Time // times of the messages in the window, oldest first
}

// allow records a message of author at now and reports whether it is
// within the limit; a refused message is not recorded.
func (l *receiveLimit) allow(author string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.authors == nil {
		l.authors = map[string][]time.Time{}
	}
	times := recent(l.authors[author], now)
	if len(times) >= MaxReceivedPerAuthor {
		l.authors[author] = times
		return false
	}
	if _, ok := l.authors[author]; !ok && len(l.authors) >= MaxTrackedAuthors {
		l.forget(now)
	}
	l.authors[author] = append(times, now)
	return true
}

// recent drops the times that left the window before now.
func recent(times []time.Time, now time.Time) []time.Time {
	i := 0
	for i < len(times) && now.Sub(times[i]) >= ReceiveWindow {
		i++
	}
	return times[i:]
}

// forget drops the authors quiet for a whole window and, if none is,
// the one whose last message is the oldest.
func (l *receiveLimit) forget(now time.Time) {
	var quietest string
	var last time.Time
	for a, times := range l.authors {
		if len(recent(times, now)) == 0 {
			delete(l.authors, a)
			continue
		}
		if t := times[len(times)-1]; quietest == "" || t.Before(last) {
			quietest, last = a, t
		}
	}
	if len(l.authors) >= MaxTrackedAuthors {
		delete(l.authors, quietest)
	}
}
