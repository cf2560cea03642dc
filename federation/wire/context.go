package wire

// Media types. Documents are served and delivered as ContentType;
// LDContentType is the equivalent that ActivityPub requires servers to
// accept as well.
const (
	ContentType   = "application/activity+json"
	LDContentType = `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`
)

// Namespaces.
const (
	ActivityStreamsNS = "https://www.w3.org/ns/activitystreams"
	SecurityNS        = "https://w3id.org/security/v1"
	// PublicIRI is the special collection that makes an object public.
	// On input its compact forms "as:Public" and "Public" are accepted too.
	PublicIRI = ActivityStreamsNS + "#Public"
)

// Context is the JSON-LD @context of every document this package emits:
// the one Mobilizon 5 emits (WIRE.md §2.2), with the rdfs prefix it uses
// but forgets to declare, plus the FEP-8a8e terms (eventStatus and its
// values, VirtualLocation, organizers), the iCalendar terms Convene uses for
// recurrence (ical:rrule, ical:exdate, ical:dtstart, ical:sequence) and
// the Mobilizon terms it emits undeclared (draft, contacts, role...).
//
// Every term is defined inline: no remote context but the two W3C ones,
// which every implementation preloads. It is a constant rather than built
// with go-ap/jsonld, which cannot emit a one-term context and costs a
// reflection pass per document; TestContextMatchesJSONLD checks that this
// text and jsonld's output for the same terms are the same JSON.
const Context = `["https://www.w3.org/ns/activitystreams","https://w3id.org/security/v1",` +
	`{"@language":"und","rdfs":"http://www.w3.org/2000/01/rdf-schema#","sc":"http://schema.org#",` +
	`"ical":"http://www.w3.org/2002/12/cal/ical#","pt":"https://joinpeertube.org/ns#",` +
	`"toot":"http://joinmastodon.org/ns#","mz":"https://joinmobilizon.org/ns#",` +
	`"discoverable":"toot:discoverable","manuallyApprovesFollowers":"as:manuallyApprovesFollowers",` +
	`"Hashtag":"as:Hashtag","category":"sc:category","uuid":"sc:identifier",` +
	`"maximumAttendeeCapacity":"sc:maximumAttendeeCapacity","remainingAttendeeCapacity":"sc:remainingAttendeeCapacity",` +
	`"location":{"@id":"sc:location","@type":"sc:Place"},"PostalAddress":"sc:PostalAddress",` +
	`"address":{"@id":"sc:address","@type":"sc:PostalAddress"},"addressCountry":"sc:addressCountry",` +
	`"addressRegion":"sc:addressRegion","postalCode":"sc:postalCode","addressLocality":"sc:addressLocality",` +
	`"streetAddress":"sc:streetAddress","VirtualLocation":"sc:VirtualLocation",` +
	`"repliesModerationOptionType":{"@id":"mz:repliesModerationOptionType","@type":"rdfs:Class"},` +
	`"repliesModerationOption":{"@id":"mz:repliesModerationOption","@type":"mz:repliesModerationOptionType"},` +
	`"commentsEnabled":{"@type":"sc:Boolean","@id":"pt:commentsEnabled"},` +
	`"joinModeType":{"@id":"mz:joinModeType","@type":"rdfs:Class"},` +
	`"joinMode":{"@id":"mz:joinMode","@type":"mz:joinModeType"},` +
	`"anonymousParticipationEnabled":{"@id":"mz:anonymousParticipationEnabled","@type":"sc:Boolean"},` +
	`"participationMessage":{"@id":"mz:participationMessage","@type":"sc:Text"},` +
	`"participantCount":{"@id":"mz:participantCount","@type":"sc:Integer"},` +
	`"memberCount":{"@id":"mz:memberCount","@type":"sc:Integer"},` +
	`"isOnline":{"@type":"sc:Boolean","@id":"mz:isOnline"},` +
	`"externalParticipationUrl":{"@id":"mz:externalParticipationUrl","@type":"sc:URL"},` +
	`"PropertyValue":"sc:PropertyValue","value":"sc:value","propertyID":"sc:propertyID",` +
	`"inLanguage":"sc:inLanguage","timezone":{"@id":"mz:timezone","@type":"sc:Text"},` +
	`"discussions":{"@id":"mz:discussions","@type":"@id"},"events":{"@id":"mz:events","@type":"@id"},` +
	`"members":{"@id":"mz:members","@type":"@id"},"openness":{"@id":"mz:openness","@type":"@id"},` +
	`"posts":{"@id":"mz:posts","@type":"@id"},"resources":{"@id":"mz:resources","@type":"@id"},` +
	`"todos":{"@id":"mz:todos","@type":"@id"},"status":{"@id":"ical:status","@type":"ical:status"},` +
	`"draft":"mz:draft","contacts":{"@id":"mz:contacts","@type":"@id"},"role":"mz:role",` +
	`"todoList":{"@id":"mz:todoList","@type":"@id"},"isAnnouncement":"mz:isAnnouncement",` +
	`"eventStatus":{"@id":"sc:eventStatus","@type":"@vocab"},"EventScheduled":"sc:EventScheduled",` +
	`"EventCancelled":"sc:EventCancelled","EventPostponed":"sc:EventPostponed",` +
	`"EventRescheduled":"sc:EventRescheduled","EventMovedOnline":"sc:EventMovedOnline",` +
	`"EventTentative":"sc:EventTentative","organizers":{"@id":"sc:organizer","@type":"@id"},` +
	`"Member":"mz:Member","TodoList":"mz:TodoList","Todo":"mz:Todo","ResourceCollection":"mz:ResourceCollection"}]`
