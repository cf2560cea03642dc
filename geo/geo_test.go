package geo_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/geo"
)

func TestDistanceKM(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		a, b geo.Point
		km   float64
	}{
		{"same point", geo.Point{Lat: 45.76, Lon: 4.84}, geo.Point{Lat: 45.76, Lon: 4.84}, 0},
		{"Lyon–Paris", geo.Point{Lat: 45.7640, Lon: 4.8357}, geo.Point{Lat: 48.8566, Lon: 2.3522}, 392},
		{"São Paulo–Rio", geo.Point{Lat: -23.5505, Lon: -46.6333}, geo.Point{Lat: -22.9068, Lon: -43.1729}, 361},
		{"across the antimeridian", geo.Point{Lat: -18.14, Lon: 178.44}, geo.Point{Lat: -13.83, Lon: -171.76}, 1143},
		{"antipodes", geo.Point{Lat: 0, Lon: 0}, geo.Point{Lat: 0, Lon: 180}, math.Pi * geo.EarthRadiusKM},
	}
	for _, tc := range cases {
		assert.InDelta(t, tc.km, geo.DistanceKM(tc.a, tc.b), tc.km*0.01+0.01, tc.name)
		assert.InDelta(t, geo.DistanceKM(tc.a, tc.b), geo.DistanceKM(tc.b, tc.a), 1e-9, tc.name+" is symmetric")
	}
}

// TestBoundingBoxHoldsTheCircle checks the pre-filter never drops a
// point that is within the radius, around the world.
func TestBoundingBoxHoldsTheCircle(t *testing.T) {
	t.Parallel()
	centers := []geo.Point{{Lat: 45.76, Lon: 4.84}, {Lat: -23.55, Lon: -46.63}, {Lat: 64.1, Lon: -21.9},
		{Lat: -18.1, Lon: 179.9}, {Lat: 0, Lon: -179.95}, {Lat: 89.5, Lon: 10}, {Lat: -89.9, Lon: 0}}
	for _, c := range centers {
		for _, r := range []float64{0.5, 10, 100, 2000} {
			box := geo.BoundingBox(c, r)
			for bearing := 0.0; bearing < 360; bearing += 7.5 {
				p := destination(c, bearing, r*0.999)
				require.LessOrEqual(t, geo.DistanceKM(c, p), r)
				assert.True(t, box.Contains(p), "center %v radius %v: %v outside %+v", c, r, p, box)
			}
		}
	}
}

func TestBoundingBoxWraps(t *testing.T) {
	t.Parallel()
	b := geo.BoundingBox(geo.Point{Lat: -17.7, Lon: 179.9}, 50)
	assert.True(t, b.Wraps())
	assert.True(t, b.Contains(geo.Point{Lat: -17.7, Lon: -179.9}))
	assert.False(t, b.Contains(geo.Point{Lat: -17.7, Lon: 0}))
	assert.False(t, geo.BoundingBox(geo.Point{Lat: 45, Lon: 5}, 10).Wraps())
}

func TestValidate(t *testing.T) {
	t.Parallel()
	lat, lon, bad := -23.55, -46.63, 200.0
	zero := 0.0
	assert.NoError(t, (&geo.Place{Latitude: &lat, Longitude: &lon}).Validate())
	assert.NoError(t, (&geo.Place{Latitude: &zero, Longitude: &zero}).Validate(), "0,0 is a place")
	assert.NoError(t, (*geo.Place)(nil).Validate())
	assert.ErrorIs(t, (&geo.Place{Latitude: &lat}).Validate(), geo.ErrInvalid)
	assert.ErrorIs(t, (&geo.Place{Latitude: &lat, Longitude: &bad}).Validate(), geo.ErrInvalid)
	nan := math.NaN()
	assert.ErrorIs(t, (&geo.Place{Latitude: &nan, Longitude: &lon}).Validate(), geo.ErrInvalid)
	p, ok := (&geo.Place{Latitude: &zero, Longitude: &zero}).Point()
	assert.True(t, ok)
	assert.Equal(t, geo.Point{}, p)
	_, ok = (&geo.Place{Name: "Hall"}).Point()
	assert.False(t, ok)
	assert.True(t, (*geo.Place)(nil).IsZero())
	assert.True(t, (&geo.Place{}).IsZero())
	assert.False(t, (&geo.Place{Name: "x"}).IsZero())
}

// destination is the point at distance km from p on a bearing (degrees).
func destination(p geo.Point, bearing, km float64) geo.Point {
	const rad = math.Pi / 180
	d := km / geo.EarthRadiusKM
	lat1, lon1, b := p.Lat*rad, p.Lon*rad, bearing*rad
	lat2 := math.Asin(math.Sin(lat1)*math.Cos(d) + math.Cos(lat1)*math.Sin(d)*math.Cos(b))
	lon2 := lon1 + math.Atan2(math.Sin(b)*math.Sin(d)*math.Cos(lat1), math.Cos(d)-math.Sin(lat1)*math.Sin(lat2))
	lon := math.Mod(lon2/rad+540, 360) - 180
	return geo.Point{Lat: lat2 / rad, Lon: lon}
}
