package conversations

// Exported for the fuzz tests of package conversations_test.
var (
	CleanText = cleanText
	CheckIRI  = checkIRI
)
