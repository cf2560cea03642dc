package wire_test

import (
	"encoding/json"
	"fmt"
	"time"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/federation/wire"
	"codeberg.org/convene/convene/geo"
)

func exampleView() wire.EventView {
	lat, lon := -23.5505, -46.6333
	return wire.EventView{
		Event: events.Event{
			ID:         "6f1a",
			APID:       "https://convene.example/events/6f1a",
			Title:      "Repair café",
			BeginsAt:   time.Date(2026, 3, 14, 17, 0, 0, 0, time.UTC),
			EndsAt:     time.Date(2026, 3, 14, 21, 30, 0, 0, time.UTC),
			TimeZone:   "America/Sao_Paulo",
			Visibility: events.Public,
			Place:      &geo.Place{Name: "Casa de Cultura", Street: "Rua Augusta 1000", Locality: "São Paulo", Latitude: &lat, Longitude: &lon},
		},
		Organizer: "https://convene.example/@repair",
	}
}

// An event becomes a Create{Event} document, and a Parser reads it back.
func ExampleEventDocument() {
	doc, err := wire.Marshal(wire.CreateEvent(exampleView()))
	if err != nil {
		panic(err)
	}
	var m struct {
		Type   string
		Object struct {
			StartTime string
			Summary   string
			To, CC    []string
			Location  struct{ Latitude, Longitude float64 }
		}
	}
	if err := json.Unmarshal(doc, &m); err != nil {
		panic(err)
	}
	fmt.Println(m.Type, m.Object.StartTime)
	fmt.Println(m.Object.Summary)
	fmt.Println(m.Object.To, m.Object.CC)
	fmt.Println(m.Object.Location.Latitude, m.Object.Location.Longitude)

	p, err := wire.NewParser(wire.Config{})
	if err != nil {
		panic(err)
	}
	a, err := p.ParseActivity(doc)
	if err != nil {
		panic(err)
	}
	fmt.Println(a.Event.Event.Title, a.Event.Event.BeginsAt, a.Event.AttributedTo)
	// Output:
	// Create 2026-03-14T14:00:00-03:00
	// Saturday, March 14, 2026, 2:00 PM – 6:30 PM (America/Sao_Paulo, UTC-03:00). Casa de Cultura, Rua Augusta 1000, São Paulo.
	// [https://www.w3.org/ns/activitystreams#Public] [https://convene.example/@repair/followers]
	// -23.5505 -46.6333
	// Repair café 2026-03-14 17:00:00 +0000 UTC https://convene.example/@repair
}

// A Mobilizon group's Accept of a join, answered the way Mobilizon sends
// it.
func ExampleAcceptGroupJoin() {
	m := wire.Membership{ID: "https://convene.example/member/9d2f", Member: "https://other.example/@bob",
		Group: "https://convene.example/@climate", Role: "member"}
	doc, err := wire.Marshal(wire.AcceptGroupJoin(m, "https://convene.example/accept/join/9d2f", m.Group))
	if err != nil {
		panic(err)
	}
	var a struct {
		Type, Actor string
		Object      struct{ Type, Role string }
		To          []string
	}
	if err := json.Unmarshal(doc, &a); err != nil {
		panic(err)
	}
	fmt.Println(a.Type, a.Actor, a.Object.Type, a.Object.Role, a.To)
	// Output:
	// Accept https://convene.example/@climate Member member [https://convene.example/@climate https://convene.example/@climate/members]
}

// Tolerant parsing: a compact Public, a location string, status instead
// of ical:status, a missing endTime, and an unknown property kept.
func ExampleParser_ParseEvent() {
	p, err := wire.NewParser(wire.Config{})
	if err != nil {
		panic(err)
	}
	ev, err := p.ParseEvent([]byte(`{"type":"Event","id":"https://gancio.example/m/1","name":"Concert",
		"startTime":"2026-07-14T21:30:00+02:00","location":"Colosseo","status":"CANCELLED",
		"to":["as:Public"],"pt:views":12}`))
	if err != nil {
		panic(err)
	}
	e := ev.Event
	fmt.Println(e.Title, e.BeginsAt, e.Place.Name, e.Status, e.Visibility, ev.NoEndTime, string(ev.Extra["pt:views"]))
	// Output:
	// Concert 2026-07-14 19:30:00 +0000 UTC Colosseo cancelled public true 12
}
