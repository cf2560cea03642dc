package groups_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"codeberg.org/convene/convene/groups"
)

func TestGuessResourceKind(t *testing.T) {
	t.Parallel()
	for url, want := range map[string]groups.ResourceKind{
		"https://pad.example.org/p/planting":        groups.ResourcePad,
		"https://framapad.org/p/abc":                groups.ResourcePad,
		"https://demo.hedgedoc.org/s/xyz":           groups.ResourcePad,
		"https://cryptpad.fr/pad/#/2/pad/edit/x":    groups.ResourcePad,
		"https://lite.framacalc.org/budget":         groups.ResourceCalc,
		"https://ethercalc.net/abc":                 groups.ResourceCalc,
		"https://meet.jit.si/OurMeeting":            groups.ResourceVisio,
		"https://bbb.example.org/b/ali-x2y":         groups.ResourceVisio,
		"https://visio.example.net/room":            groups.ResourceVisio,
		"https://photos.example.org/poster.JPG":     groups.ResourcePicture,
		"https://example.org/a/b/map.webp?size=big": groups.ResourcePicture,
		"https://example.org/about":                 groups.ResourceLink,
		"https://example.org/padlock":               groups.ResourceLink,
		"mailto:someone@example.org":                groups.ResourceLink,
		"not a url at all":                          groups.ResourceLink,
		"":                                          groups.ResourceLink,
		"ftp://pad.example.org/p/x":                 groups.ResourceLink,
	} {
		assert.Equal(t, want, groups.GuessResourceKind(url), url)
	}
}
