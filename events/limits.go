package events

// Limits. Inputs beyond them are refused with a *ValidationError.
const (
	MaxTitleLength       = 200     // characters
	MaxDescriptionLength = 100_000 // bytes of HTML after sanitizing
	MaxTags              = 20
	MaxTagLength         = 40 // characters
	MaxLinks             = 20
	MaxContacts          = 20
	MaxURLLength         = 2048
	MaxMessageLength     = 2000 // participation message, characters
	MaxCommentLength     = 10_000
	MaxPlaceFieldLength  = 200
	MaxCapacity          = 1_000_000
	MaxExDates           = 500
	MaxEventDuration     = 366 * 24 * 60 * 60 // seconds: a single occurrence lasts at most a year

	// MaxSeriesPerQuery bounds how many recurring series FindSeries
	// returns for one search window.
	MaxSeriesPerQuery = 1000
	// MaxPageSize bounds the Limit of a search or a list.
	MaxPageSize = 200
	// DefaultPageSize is used when a query gives no limit.
	DefaultPageSize = 50
)
