// Package geo holds places and the distance arithmetic that search needs:
// great-circle distance and the bounding box that pre-filters a radius
// query on an index. Coordinates are WGS 84 degrees; negative latitudes
// (south) and longitudes (west) are as valid as positive ones.
package geo

import (
	"errors"
	"fmt"
	"math"
)

// EarthRadiusKM is the mean Earth radius used for distances.
const EarthRadiusKM = 6371.0088

// MaxRadiusKM bounds a radius query: half the Earth's circumference.
const MaxRadiusKM = math.Pi * EarthRadiusKM

// ErrInvalid is wrapped by every validation error of this package.
var ErrInvalid = errors.New("geo: invalid")

// Point is a position in degrees.
type Point struct {
	Lat, Lon float64
}

// Validate reports coordinates outside [-90, 90] × [-180, 180] or not
// numbers.
func (p Point) Validate() error {
	switch {
	case math.IsNaN(p.Lat) || math.IsNaN(p.Lon) || math.IsInf(p.Lat, 0) || math.IsInf(p.Lon, 0):
		return fmt.Errorf("%w: coordinates must be finite numbers", ErrInvalid)
	case p.Lat < -90 || p.Lat > 90:
		return fmt.Errorf("%w: latitude %v outside [-90, 90]", ErrInvalid, p.Lat)
	case p.Lon < -180 || p.Lon > 180:
		return fmt.Errorf("%w: longitude %v outside [-180, 180]", ErrInvalid, p.Lon)
	}
	return nil
}

// DistanceKM is the great-circle (haversine) distance between a and b.
func DistanceKM(a, b Point) float64 {
	const rad = math.Pi / 180
	dLat := (b.Lat - a.Lat) * rad
	dLon := (b.Lon - a.Lon) * rad
	s := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * EarthRadiusKM * math.Asin(math.Min(1, math.Sqrt(s)))
}

// Box is a latitude/longitude rectangle. When MinLon > MaxLon the box
// crosses the antimeridian and holds the longitudes >= MinLon or <= MaxLon.
type Box struct {
	MinLat, MaxLat, MinLon, MaxLon float64
}

// Wraps reports whether the box crosses the antimeridian.
func (b Box) Wraps() bool { return b.MinLon > b.MaxLon }

// Contains reports whether p is inside the box.
func (b Box) Contains(p Point) bool {
	if p.Lat < b.MinLat || p.Lat > b.MaxLat {
		return false
	}
	if b.Wraps() {
		return p.Lon >= b.MinLon || p.Lon <= b.MaxLon
	}
	return p.Lon >= b.MinLon && p.Lon <= b.MaxLon
}

// BoundingBox returns a box that holds every point within radiusKM of
// center (it may hold more: it is a pre-filter, followed by DistanceKM).
// Near a pole, or for a radius that reaches one, the box spans every
// longitude.
func BoundingBox(center Point, radiusKM float64) Box {
	const deg = 180 / math.Pi
	dLat := radiusKM / EarthRadiusKM * deg
	b := Box{MinLat: center.Lat - dLat, MaxLat: center.Lat + dLat, MinLon: -180, MaxLon: 180}
	if b.MinLat <= -90 || b.MaxLat >= 90 {
		b.MinLat, b.MaxLat = math.Max(b.MinLat, -90), math.Min(b.MaxLat, 90)
		return b
	}
	// The widest longitude span is at the latitude farthest from the
	// equator that the circle reaches.
	maxAbsLat := math.Max(math.Abs(b.MinLat), math.Abs(b.MaxLat)) / deg
	dLon := math.Asin(math.Min(1, math.Sin(radiusKM/EarthRadiusKM)/math.Cos(maxAbsLat))) * deg
	if dLon >= 180 || math.IsNaN(dLon) {
		return b
	}
	b.MinLon, b.MaxLon = center.Lon-dLon, center.Lon+dLon
	if b.MinLon < -180 {
		b.MinLon += 360
	}
	if b.MaxLon > 180 {
		b.MaxLon -= 360
	}
	return b
}

// Place is a physical venue: a name, a postal address and, when known,
// coordinates. Latitude and Longitude are pointers because 0 is a real
// coordinate (the Gulf of Guinea) and an absent one is not.
type Place struct {
	Name       string   `json:"name,omitempty"`
	Street     string   `json:"street,omitempty"`
	Locality   string   `json:"locality,omitempty"`
	Region     string   `json:"region,omitempty"`
	PostalCode string   `json:"postal_code,omitempty"`
	Country    string   `json:"country,omitempty"`
	Latitude   *float64 `json:"latitude,omitempty"`
	Longitude  *float64 `json:"longitude,omitempty"`
}

// Point returns the place's coordinates, ok=false when it has none.
func (p *Place) Point() (Point, bool) {
	if p == nil || p.Latitude == nil || p.Longitude == nil {
		return Point{}, false
	}
	return Point{Lat: *p.Latitude, Lon: *p.Longitude}, true
}

// Validate checks that coordinates come in pairs and are in range.
func (p *Place) Validate() error {
	if p == nil {
		return nil
	}
	if (p.Latitude == nil) != (p.Longitude == nil) {
		return fmt.Errorf("%w: latitude and longitude go together", ErrInvalid)
	}
	if pt, ok := p.Point(); ok {
		return pt.Validate()
	}
	return nil
}

// IsZero reports whether the place says nothing at all.
func (p *Place) IsZero() bool {
	return p == nil || *p == Place{}
}
