package groups

import (
	"net/url"
	"path"
	"strings"
)

// GuessResourceKind tells the kind of tool a link points to from its URL
// alone, for links whose kind is not given: the resources received from
// other instances (Mobilizon, and Convene too, send none). It only
// chooses an icon and a label, so a wrong guess is harmless:
//
//   - picture: a path ending in an image extension (.png, .jpg, .jpeg,
//     .gif, .webp, .avif, .svg);
//   - visio: a host naming a video-room service (jitsi, bigbluebutton,
//     bbb., visio, meet.);
//   - calc: a host or path naming a spreadsheet (ethercalc, calc);
//   - pad: a host naming a pad (etherpad, hedgedoc, cryptpad, pad.,
//     pad-), or an Etherpad path (/p/…);
//   - link: anything else, and what is not an http(s) URL.
func GuessResourceKind(raw string) ResourceKind {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ResourceLink
	}
	host, p := strings.ToLower(u.Hostname()), strings.ToLower(u.EscapedPath())
	switch path.Ext(p) {
	case ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg":
		return ResourcePicture
	}
	has := func(s string, subs ...string) bool {
		for _, sub := range subs {
			if strings.Contains(s, sub) {
				return true
			}
		}
		return false
	}
	switch {
	case has(host, "jitsi", "bigbluebutton", "bbb.", "visio") || strings.HasPrefix(host, "meet."):
		return ResourceVisio
	case has(host, "ethercalc", "calc") || strings.HasPrefix(p, "/calc/"):
		return ResourceCalc
	case has(host, "etherpad", "hedgedoc", "cryptpad", "pad.", "pad-") || strings.HasPrefix(p, "/p/"):
		return ResourcePad
	}
	return ResourceLink
}
