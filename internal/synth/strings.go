package synth

// The string table is laid out in four ranges:
//
//	[0, numFixed)                  the fixed strings below
//	[numBase, numBase+numCount)    decimal strings "0", "1", … used as edge names
//	[ephBase, ephBase+2·W)         WeakMap ephemeron edge names, two per entry
//	[poolBase, poolBase+poolCount) string values, in categories (see pool)
//
// Every string is a function of its index, so the section is written after
// the nodes and edges without remembering anything.

// Fixed strings. The order is that of fixedStrings.
const (
	sDummy = iota
	sEmpty
	sGCRoots
	sInternalizedStrings
	sExternalStrings
	sReadOnlyRoots
	sStrongRoots
	sSmiRoots
	sStackRoots
	sHandleScope
	sBuiltins
	sGlobalHandles
	sEternalHandles
	sStartupObjectCache
	sWeakCollections
	sCppRoots
	sNodeEnvironment
	sNodeBindingData
	sNodeContextifyScript
	sNodeAliasedArray
	sSystemMap
	sSystemMapOneByte
	sSystemMapCons
	sSystemMapSliced
	sSystemDescriptorArray
	sSystemOddball
	sSystemNativeContext
	sSystemContext
	sSystemScopeInfo
	sSystemFeedbackCell
	sSystemWeakArrayList
	sSystemFixedArray
	sSystemPropertyArray
	sSystemArrayBufferData
	sCompileLazy
	sScriptServer
	sScriptCache
	sObjectElements
	sObjectProperties
	sConcatenatedString
	sSlicedString
	sHeapNumber
	sSymbol
	sBigint
	sGlobal
	sObject
	sArray
	sFunction
	sMap
	sWeakMap
	sWeakRef
	sSession
	sCustomer
	sOrder
	sLineItem
	sRequest
	sRouter
	sProcessor
	sEventEmitter
	sBuffer
	sArrayBuffer
	sUint8Array
	sBufferPool
	sOnData
	sOnError
	sHandleRequest
	sValidate
	sSerialize
	sNext
	sRegExpSource
	sSymbolKCapture
	sUndefined
	sNull
	sTrue
	sFalse
	sEscQuote
	sEscNewline
	sEscUnicode
	sEscBackslash
	// property and internal edge names
	pMap
	pProto
	pPrototype
	pConstructor
	pElements
	pProperties
	pTable
	pShared
	pContext
	pFeedbackCell
	pCode
	pScopeInfo
	pPrevious
	pDescriptors
	pBackPointer
	pNativeContext
	pSloppyFunctionMap
	pGlobalProxy
	pFirst
	pSecond
	pParent
	pName
	pToString
	pData
	pBuffer
	pBackingStore
	pScriptOrDebugInfo
	pNameOrScopeInfo
	pOuterScopeInfo
	pDependentCode
	pTransitions
	pValue
	pTarget
	pNativeToJS
	pID
	pToken
	pCustomer
	pOrders
	pCreatedAt
	pEmail
	pAddress
	pStreet
	pCity
	pZip
	pIP
	pAgent
	pLastPath
	pTotal
	pItems
	pSession
	pSku
	pPrice
	pOrder
	pSelf
	pKey
	pPrev
	pExpires
	pEtag
	pRef
	pEvents
	pEventsCount
	pMaxListeners
	pError
	pEmitter
	pProcessorProp
	pPending
	pQueue
	pSessions
	pCache
	pRegistry
	pRouters
	pRecords
	pPools
	pBigBuffers
	pTail
	pPayload
	pChunks
	pBuf
	pURL
	pMethod
	pHeaders
	pHost
	pAccept
	pUserAgent
	pCookie
	pStartedAt
	pTraceID
	pSpans
	pDuration
	pRoutes
	pRouteProp
	pPath
	pHandler
	pRouter
	pLogger
	pCounter
	pType
	pBody
	pParts
	pPattern
	pSym
	pBig
	pFree
	pSize
	pScore
	pTags
	pLeft
	pRight
	pLink
	pSymbolToStringTag
	// string values shared by many string nodes (duplicated strings)
	vGET
	vPOST
	vAppJSON
	vEnUS
	vAgent1
	vAgent2
	vCity1
	vCity2
	vCity3
	vMessage
	vHost
	vSpanDB
	vSpanHTTP
	vTagVIP
	numFixed
)

var fixedStrings = [numFixed]string{
	sDummy:                 "<dummy>",
	sEmpty:                 "",
	sGCRoots:               "(GC roots)",
	sInternalizedStrings:   "(Internalized strings)",
	sExternalStrings:       "(External strings)",
	sReadOnlyRoots:         "(Read-only roots)",
	sStrongRoots:           "(Strong roots)",
	sSmiRoots:              "(Smi roots)",
	sStackRoots:            "(Stack roots)",
	sHandleScope:           "(Handle scope)",
	sBuiltins:              "(Builtins)",
	sGlobalHandles:         "(Global handles)",
	sEternalHandles:        "(Eternal handles)",
	sStartupObjectCache:    "(Startup object cache)",
	sWeakCollections:       "(Weak collections)",
	sCppRoots:              "C++ roots",
	sNodeEnvironment:       "Node / Environment",
	sNodeBindingData:       "Node / BindingData",
	sNodeContextifyScript:  "Node / ContextifyScript",
	sNodeAliasedArray:      "Node / AliasedFloat64Array",
	sSystemMap:             "system / Map",
	sSystemMapOneByte:      "system / Map (OneByteString)",
	sSystemMapCons:         "system / Map (ConsOneByteString)",
	sSystemMapSliced:       "system / Map (SlicedOneByteString)",
	sSystemDescriptorArray: "system / DescriptorArray",
	sSystemOddball:         "system / Oddball",
	sSystemNativeContext:   "system / NativeContext",
	sSystemContext:         "system / Context",
	sSystemScopeInfo:       "system / ScopeInfo",
	sSystemFeedbackCell:    "system / FeedbackCell",
	sSystemWeakArrayList:   "system / WeakArrayList",
	sSystemFixedArray:      "system / FixedArray",
	sSystemPropertyArray:   "system / PropertyArray",
	sSystemArrayBufferData: "system / JSArrayBufferData",
	sCompileLazy:           "(CompileLazy builtin handle)",
	sScriptServer:          "/srv/app/server.js",
	sScriptCache:           "/srv/app/lib/cache.js",
	sObjectElements:        "(object elements)",
	sObjectProperties:      "(object properties)",
	sConcatenatedString:    "(concatenated string)",
	sSlicedString:          "(sliced string)",
	sHeapNumber:            "heap number",
	sSymbol:                "symbol",
	sBigint:                "bigint",
	sGlobal:                "global",
	sObject:                "Object",
	sArray:                 "Array",
	sFunction:              "Function",
	sMap:                   "Map",
	sWeakMap:               "WeakMap",
	sWeakRef:               "WeakRef",
	sSession:               "Session",
	sCustomer:              "Customer",
	sOrder:                 "Order",
	sLineItem:              "LineItem",
	sRequest:               "Request",
	sRouter:                "Router",
	sProcessor:             "Processor",
	sEventEmitter:          "EventEmitter",
	sBuffer:                "Buffer",
	sArrayBuffer:           "ArrayBuffer",
	sUint8Array:            "Uint8Array",
	sBufferPool:            "BufferPool",
	sOnData:                "onData",
	sOnError:               "onError",
	sHandleRequest:         "handleRequest",
	sValidate:              "validate",
	sSerialize:             "serialize",
	sNext:                  "next",
	sRegExpSource:          `^\/api\/v1\/(\w+)$`,
	sSymbolKCapture:        "kCapture",
	sUndefined:             "undefined",
	sNull:                  "null",
	sTrue:                  "true",
	sFalse:                 "false",
	sEscQuote:              `say "hi"`,
	sEscNewline:            "line1\nline2\ttabbed",
	sEscUnicode:            "caf\u00e9 \u2028 na\u00efve",
	sEscBackslash:          `C:\srv\app`,

	pMap:               "map",
	pProto:             "__proto__",
	pPrototype:         "prototype",
	pConstructor:       "constructor",
	pElements:          "elements",
	pProperties:        "properties",
	pTable:             "table",
	pShared:            "shared",
	pContext:           "context",
	pFeedbackCell:      "feedback_cell",
	pCode:              "code",
	pScopeInfo:         "scope_info",
	pPrevious:          "previous",
	pDescriptors:       "descriptors",
	pBackPointer:       "back_pointer",
	pNativeContext:     "native_context",
	pSloppyFunctionMap: "sloppy_function_map",
	pGlobalProxy:       "global_proxy_object",
	pFirst:             "first",
	pSecond:            "second",
	pParent:            "parent",
	pName:              "name",
	pToString:          "to_string",
	pData:              "data",
	pBuffer:            "buffer",
	pBackingStore:      "backing_store",
	pScriptOrDebugInfo: "script_or_debug_info",
	pNameOrScopeInfo:   "name_or_scope_info",
	pOuterScopeInfo:    "raw_outer_scope_info_or_feedback_metadata",
	pDependentCode:     "dependent_code",
	pTransitions:       "transitions",
	pValue:             "value",
	pTarget:            "target",
	pNativeToJS:        "native_to_javascript",
	pID:                "id",
	pToken:             "token",
	pCustomer:          "customer",
	pOrders:            "orders",
	pCreatedAt:         "createdAt",
	pEmail:             "email",
	pAddress:           "address",
	pStreet:            "street",
	pCity:              "city",
	pZip:               "zip",
	pIP:                "ip",
	pAgent:             "agent",
	pLastPath:          "lastPath",
	pTotal:             "total",
	pItems:             "items",
	pSession:           "session",
	pSku:               "sku",
	pPrice:             "price",
	pOrder:             "order",
	pSelf:              "self",
	pKey:               "key",
	pPrev:              "prev",
	pExpires:           "expires",
	pEtag:              "etag",
	pRef:               "ref",
	pEvents:            "_events",
	pEventsCount:       "_eventsCount",
	pMaxListeners:      "_maxListeners",
	pError:             "error",
	pEmitter:           "emitter",
	pProcessorProp:     "processor",
	pPending:           "pending",
	pQueue:             "queue",
	pSessions:          "sessions",
	pCache:             "cache",
	pRegistry:          "registry",
	pRouters:           "routers",
	pRecords:           "records",
	pPools:             "pools",
	pBigBuffers:        "bigBuffers",
	pTail:              "tail",
	pPayload:           "payload",
	pChunks:            "chunks",
	pBuf:               "buf",
	pURL:               "url",
	pMethod:            "method",
	pHeaders:           "headers",
	pHost:              "host",
	pAccept:            "accept",
	pUserAgent:         "user-agent",
	pCookie:            "cookie",
	pStartedAt:         "startedAt",
	pTraceID:           "traceId",
	pSpans:             "spans",
	pDuration:          "duration",
	pRoutes:            "routes",
	pRouteProp:         "route",
	pPath:              "path",
	pHandler:           "handler",
	pRouter:            "router",
	pLogger:            "logger",
	pCounter:           "counter",
	pType:              "type",
	pBody:              "body",
	pParts:             "parts",
	pPattern:           "pattern",
	pSym:               "sym",
	pBig:               "big",
	pFree:              "free",
	pSize:              "size",
	pScore:             "score",
	pTags:              "tags",
	pLeft:              "left",
	pRight:             "right",
	pLink:              "link",
	pSymbolToStringTag: "<symbol Symbol.toStringTag>",

	vGET:      "GET",
	vPOST:     "POST",
	vAppJSON:  "application/json",
	vEnUS:     "en-US,en;q=0.9",
	vAgent1:   "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
	vAgent2:   "okhttp/4.12.0",
	vCity1:    "Berlin",
	vCity2:    "S\u00e3o Paulo",
	vCity3:    "Tokyo",
	vMessage:  "message",
	vHost:     "api.example.com",
	vSpanDB:   "db.query",
	vSpanHTTP: "http.request",
	vTagVIP:   "vip",
}

// fixedJSON holds each fixed string as V8 writes it: quoted, with control
// characters escaped and every non-ASCII character as \uXXXX (upper case).
var fixedJSON [numFixed][]byte

func init() {
	for i, s := range fixedStrings {
		fixedJSON[i] = appendV8String(nil, s)
	}
}

// appendV8String appends s quoted and escaped as V8's heap snapshot
// serializer does (§1.6): pure ASCII output.
func appendV8String(b []byte, s string) []byte {
	const hex = "0123456789ABCDEF"
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"':
			b = append(b, '\\', '"')
		case r == '\\':
			b = append(b, '\\', '\\')
		case r == '\b':
			b = append(b, '\\', 'b')
		case r == '\f':
			b = append(b, '\\', 'f')
		case r == '\n':
			b = append(b, '\\', 'n')
		case r == '\r':
			b = append(b, '\\', 'r')
		case r == '\t':
			b = append(b, '\\', 't')
		case r < 0x20 || (r >= 0x80 && r <= 0xFFFF):
			b = append(b, '\\', 'u', hex[r>>12&15], hex[r>>8&15], hex[r>>4&15], hex[r&15])
		case r > 0xFFFF:
			// V8 keeps only the low 16 bits of a supplementary character.
			b = append(b, '\\', 'u', hex[r>>12&15], hex[r>>8&15], hex[r>>4&15], hex[r&15])
		default:
			b = append(b, byte(r))
		}
	}
	return append(b, '"')
}

// Pool categories: string values, generated from their index.
const (
	catSess  = iota // "sess_<base36>_<random>"      session ids, tokens
	catEmail        // "<first>.<last><n>@example.com"
	catPath         // "/api/v1/orders/<n>/items?page=<m>"
	catKey          // "cache:user:<n>:profile"
	catName         // "<First> <Last>"            few, heavily duplicated
	catText         // "<base36> <words…>"         payloads; length tunable
	numCats
)

var (
	firstNames = []string{"Alice", "Bob", "Carla", "Dmitri", "Emeka", "Fatima", "Gustavo", "Hana", "Ivan", "Julia", "Kenji", "Lena", "Mateo", "Nadia", "Omar", "Priya", "Quentin", "Rosa", "Sven", "Tomasz", "Uma", "Victor", "Wen", "Ximena", "Yusuf", "Zoe"}
	lastNames  = []string{"Smith", "Garcia", "Muller", "Rossi", "Kowalski", "Tanaka", "Okafor", "Silva", "Novak", "Ivanova", "Chen", "Patel", "Haddad", "Jensen", "Dubois", "Nguyen"}
	words      = []string{"lorem", "ipsum", "dolor", "sit", "amet", "order", "invoice", "customer", "shipping", "total", "status", "pending", "paid", "refund", "item", "quantity", "price", "currency", "EUR", "USD", "address", "street", "{k:", "1}", "[0,", "2]", "true", "null", "id", "sku", "ok", "error", "retry", "timeout", "GET", "POST", "/v1/", "json", "utf-8", "token", "session"}
)

// textBlockSize is the size of the pseudo-random text that catText strings
// are cut from.
const textBlockSize = 1 << 16

// maxNameLen is V8's limit on node names (longer strings are truncated).
const maxNameLen = 1024

// pool describes the string values range.
type pool struct {
	base  uint32             // string index of the first pool string
	start [numCats + 1]int64 // category c is [start[c], start[c+1]) relative to base
	// textAvg is the mean length of catText strings.
	textAvg int64
	block   []byte // ASCII text without '"' or '\\'
	seed    uint64
}

func (p *pool) size(c int) int64 { return p.start[c+1] - p.start[c] }

// pick returns the string index of a pseudo-random string of category c.
func (p *pool) pick(c int, r *rng) uint32 {
	return p.base + uint32(p.start[c]+int64(r.below(uint64(p.size(c)))))
}

func b36len(v uint64) int {
	n := 1
	for v >= 36 {
		v /= 36
		n++
	}
	return n
}

func appendB36(b []byte, v uint64) []byte {
	const digits = "0123456789abcdefghijklmnopqrstuvwxyz"
	var tmp [13]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = digits[v%36]
		v /= 36
		if v == 0 {
			break
		}
	}
	return append(b, tmp[i:]...)
}

// category returns the category of pool-relative index j.
func (p *pool) category(j int64) int {
	c := 0
	for c < numCats-1 && j >= p.start[c+1] {
		c++
	}
	return c
}

// textLen is the length of catText string j (pool-relative index).
func (p *pool) textLen(j int64) int {
	h := mix(p.seed ^ 0x7e47 ^ uint64(j)*0x9E3779B97F4A7C15)
	n := int(p.textAvg/2) + int(h%uint64(p.textAvg+1))
	if min := b36len(uint64(j)) + 2; n < min {
		n = min
	}
	if n > maxNameLen {
		n = maxNameLen
	}
	return n
}

// appendValue appends pool string j (pool-relative), unquoted. The content
// never needs escaping.
func (p *pool) appendValue(b []byte, j int64) []byte {
	c := p.category(j)
	k := uint64(j - p.start[c])
	h := mix(p.seed ^ uint64(j)*0xD1B54A32D192ED03)
	switch c {
	case catSess:
		b = append(b, "sess_"...)
		b = appendB36(b, k)
		b = append(b, '_')
		for i := 0; i < 12; i++ {
			b = append(b, "abcdefghijklmnopqrstuvwxyz0123456789"[h%36])
			h = h/36 ^ (h << 59)
		}
	case catEmail:
		b = append(b, firstNames[k%uint64(len(firstNames))]...)
		b = append(b, '.')
		b = append(b, lastNames[(k/uint64(len(firstNames)))%uint64(len(lastNames))]...)
		b = appendUint(b, k)
		b = append(b, "@example.com"...)
	case catPath:
		b = append(b, "/api/v1/orders/"...)
		b = appendUint(b, k)
		b = append(b, "/items?page="...)
		b = appendUint(b, h%50)
	case catKey:
		b = append(b, "cache:user:"...)
		b = appendUint(b, k)
		b = append(b, ":profile"...)
	case catName:
		b = append(b, firstNames[k%uint64(len(firstNames))]...)
		b = append(b, ' ')
		b = append(b, lastNames[(k/uint64(len(firstNames)))%uint64(len(lastNames))]...)
	default:
		n := p.textLen(j)
		before := len(b)
		b = appendB36(b, uint64(j))
		b = append(b, ' ')
		rest := n - (len(b) - before)
		off := int(h % uint64(len(p.block)-maxNameLen))
		b = append(b, p.block[off:off+rest]...)
	}
	return b
}

// valueLen returns len(appendValue(nil, j)) without building the string.
func (p *pool) valueLen(j int64) int {
	c := p.category(j)
	k := uint64(j - p.start[c])
	first := func() int { return len(firstNames[k%uint64(len(firstNames))]) }
	last := func() int { return len(lastNames[(k/uint64(len(firstNames)))%uint64(len(lastNames))]) }
	switch c {
	case catSess:
		return len("sess_") + b36len(k) + 1 + 12
	case catEmail:
		return first() + 1 + last() + decLen(k) + len("@example.com")
	case catPath:
		h := mix(p.seed ^ uint64(j)*0xD1B54A32D192ED03)
		return len("/api/v1/orders/") + decLen(k) + len("/items?page=") + decLen(h%50)
	case catKey:
		return len("cache:user:") + decLen(k) + len(":profile")
	case catName:
		return first() + 1 + last()
	}
	return p.textLen(j)
}

func newTextBlock(seed uint64) []byte {
	r := newRNG(seed ^ 0x5eed7e47)
	b := make([]byte, 0, textBlockSize+32)
	for len(b) < textBlockSize {
		b = append(b, words[r.below(uint64(len(words)))]...)
		if r.below(12) == 0 {
			b = append(b, ". "...)
		} else {
			b = append(b, ' ')
		}
	}
	return b[:textBlockSize]
}

// appendNumString appends the decimal string n quoted.
func appendQuotedUint(b []byte, n uint64) []byte {
	b = append(b, '"')
	b = appendUint(b, n)
	return append(b, '"')
}

// ephemeron edge names: "<prefix> / part of key (Request @<key>) -> value
// (Object @<value>) pair in WeakMap (table @<table>)".
func appendEphemeronName(b []byte, prefix, keyID, valueID, tableID uint64) []byte {
	b = appendUint(b, prefix)
	b = append(b, " / part of key (Request @"...)
	b = appendUint(b, keyID)
	b = append(b, ") -> value (Object @"...)
	b = appendUint(b, valueID)
	b = append(b, ") pair in WeakMap (table @"...)
	b = appendUint(b, tableID)
	return append(b, ')')
}
