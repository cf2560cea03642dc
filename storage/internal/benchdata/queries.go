package benchdata

import (
	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/geo"
)

// Query parameters.
const (
	// PageSize is the limit of every query: a first page of results.
	PageSize = 50
	// RadiusKM is the radius of the radius query.
	RadiusKM = 10
	// Window is how far ahead the queries look: what events.Service.Search
	// asks for when the visitor gives no end date.
	Window = events.DefaultSearchWindow
	// QueryDays is the number of distinct query windows: the i-th query
	// starts i % QueryDays days after Now, so that successive queries do
	// not return the very same page.
	QueryDays = 16
)

// Center is the centre of the radius query: the densest city, where a
// 10 km box holds the most events.
func Center() geo.Point {
	c := Cities()[0]
	return geo.Point{Lat: c.Lat, Lon: c.Lon}
}

// Upcoming is the i-th upcoming-events query: single, public, published
// events beginning in the Window from Now + i%QueryDays days, first page
// of PageSize; the store query behind an unfiltered events.Service.Search.
func Upcoming(i int) events.StoreQuery {
	from := Now().AddDate(0, 0, i%QueryDays)
	return events.StoreQuery{
		From: from, To: from.Add(Window), Visibilities: []events.Visibility{events.Public}, Limit: PageSize,
	}
}

// Radius is Upcoming restricted to the bounding box of RadiusKM around
// Center (the store's Box filter, as events.Service.Search sets it).
func Radius(i int) events.StoreQuery {
	q := Upcoming(i)
	box := geo.BoundingBox(Center(), RadiusKM)
	q.Box = &box
	return q
}

// RadiusMonth is Radius over a window of 30 days instead of Window.
func RadiusMonth(i int) events.StoreQuery {
	q := Radius(i)
	q.To = q.From.AddDate(0, 0, 30)
	return q
}

// Query is a named query of the benchmarks.
type Query struct {
	Name  string
	Query func(i int) events.StoreQuery
}

// Queries are the queries every backend is measured with.
func Queries() []Query {
	return []Query{{"upcoming", Upcoming}, {"radius10km", Radius}, {"radius10km-30d", RadiusMonth}}
}
