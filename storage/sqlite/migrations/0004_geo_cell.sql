-- Latitude bands for radius search: geo_cell = floor((latitude + 90) * 10),
-- NULL without coordinates (see sqlstore.GeoCellsPerDegree). A radius query
-- looks up each band of its box by a longitude range, reading only the
-- events inside the box.
ALTER TABLE events ADD COLUMN geo_cell INTEGER;
UPDATE events SET geo_cell = CAST((latitude + 90) * 10 AS INTEGER) WHERE latitude IS NOT NULL;
CREATE INDEX events_upcoming_cell ON events (geo_cell, longitude, begins_at, id)
	WHERE recurrence = '' AND visibility = 'public' AND NOT draft AND latitude IS NOT NULL;
