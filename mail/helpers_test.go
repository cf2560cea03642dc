package mail

import "mime"

type mimeWordDecoder = mime.WordDecoder
