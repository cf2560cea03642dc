-- Latitude bands for radius search: geo_cell = floor((latitude + 90) * 10),
-- NULL without coordinates (see sqlstore.GeoCellsPerDegree). A radius query
-- reads each band of its box in start order, checking the box on the index
-- entries, and stops at the page size.
ALTER TABLE events ADD COLUMN geo_cell INTEGER;
UPDATE events SET geo_cell = CAST((latitude + 90) * 10 AS INTEGER) WHERE latitude IS NOT NULL;
CREATE INDEX events_upcoming_cell ON events (geo_cell, begins_at, id, longitude, latitude)
	WHERE recurrence = '' AND visibility = 'public' AND NOT draft AND latitude IS NOT NULL;
