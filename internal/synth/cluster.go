package synth

// builder generates one cluster: up to clusterSize nodes at consecutive
// ordinals and their edges. Its content depends only on the Config and the
// cluster index, so every pass over the file rebuilds the same cluster.
type builder struct {
	g    *gen
	k    int64
	base uint32
	cap  int
	n    int
	r    rng

	typ  [clusterSize]uint8
	even [clusterSize]bool
	loc  [clusterSize]uint8
	name [clusterSize]uint32
	size [clusterSize]uint32
	cnt  [clusterSize + 1]uint32

	edges   []edgeRec // sorted by source slot after build
	tmp     []edgeRec
	kids    [clusterSize]int
	scratch [maxNameLen + 64]byte
}

func newBuilder(g *gen) *builder {
	return &builder{g: g, edges: make([]edgeRec, 0, 512), tmp: make([]edgeRec, 0, 512)}
}

// build generates cluster k; extras adds the calibration edges (needed for
// edge counts, not for nodes' other fields or locations).
func (b *builder) build(k int64, extras bool) {
	g := b.g
	b.k = k
	b.base = g.head(k)
	b.cap = clusterSize
	if k >= g.nFull {
		b.cap = g.tail
	}
	b.n = 0
	b.edges = b.edges[:0]
	b.r = newRNG(g.cfg.Seed ^ uint64(k)*0x9FB21C651E98DF25 ^ 0xC1)
	switch g.kind(k) {
	case kSession:
		b.session()
	case kCache:
		b.cache()
	case kHandlers:
		b.handlers()
	case kPayload:
		b.payload()
	case kBuffers:
		b.buffers()
	case kRecords:
		b.records()
	case kListener:
		b.listener()
	case kWeakEntry:
		b.weakEntry()
	case kGarbage:
		b.garbage()
	case kTail:
		b.tailCluster()
	}
	if b.n != b.cap {
		panic("synth: cluster " + kindNames[g.kind(k)] + " did not fill its slots")
	}
	if extras && g.extraRate > 0 {
		b.addExtras()
	}
	// cnt[i+1] = edges of slot i; sortEdges turns it into offsets.
	b.cnt = [clusterSize + 1]uint32{}
	for _, e := range b.edges {
		b.cnt[e.src+1]++
	}
}

func (b *builder) room() int { return b.cap - b.n }

func (b *builder) node(typ uint8, name, size uint32) int {
	if b.n >= b.cap {
		panic("synth: cluster overflow in " + kindNames[b.g.kind(b.k)])
	}
	i := b.n
	b.typ[i], b.name[i], b.size[i], b.even[i], b.loc[i] = typ, name, size, false, 0
	b.n++
	return i
}

// e adds an edge from slot src to slot to.
func (b *builder) e(src int, typ uint8, name uint32, to int) {
	b.edges = append(b.edges, edgeRec{typ: typ, name: name, to: b.base + uint32(to), src: uint8(src)})
}

// ea adds an edge from slot src to ordinal to.
func (b *builder) ea(src int, typ uint8, name uint32, to uint32) {
	b.edges = append(b.edges, edgeRec{typ: typ, name: name, to: to, src: uint8(src)})
}

// obj ends an object's edge list with __proto__ and map, as V8 lists them.
func (b *builder) obj(src int, proto, mp uint32) {
	b.ea(src, eProperty, pProto, proto)
	b.ea(src, eInternal, pMap, mp)
}

// str adds a string node holding a value of category c.
func (b *builder) str(c int) int {
	p := &b.g.pool
	name := p.pick(c, &b.r)
	n := p.valueLen(int64(name - p.base))
	i := b.node(tString, name, stringSize(n))
	b.ea(i, eInternal, pMap, b.g.pre.strMap)
	return i
}

// fstr adds a string node holding fixed string name (a duplicated value).
func (b *builder) fstr(name uint32) int {
	i := b.node(tString, name, stringSize(len(fixedStrings[name])))
	b.ea(i, eInternal, pMap, b.g.pre.strMap)
	return i
}

// num adds a heap number.
func (b *builder) num() int {
	i := b.node(tNumber, sHeapNumber, 16)
	b.ea(i, eInternal, pMap, b.g.pre.numMap)
	return i
}

// array adds a JS Array and its "(object elements)" store; fillArray adds
// their edges once the elements exist.
func (b *builder) array() (arr, el int) {
	arr = b.node(tObject, sArray, 32)
	el = b.node(tArray, sObjectElements, 16)
	return
}

func (b *builder) fillArray(arr, el int, kids []int) {
	for i, c := range kids {
		b.e(arr, eElement, uint32(i), c)
	}
	p := b.g.pre
	b.obj(arr, p.arrayProto, p.mapArray)
	b.ea(arr, eInternal, pElements, b.base+uint32(el))
	// Move the elements edge before map, as V8 orders them.
	last := len(b.edges) - 1
	b.edges[last], b.edges[last-1] = b.edges[last-1], b.edges[last]
	for i, c := range kids {
		b.e(el, eInternal, b.g.num(int64(i)), c)
	}
	b.size[el] = uint32(16 + 8*len(kids))
}

// buffer adds a Buffer, its ArrayBuffer and the native backing store.
func (b *builder) buffer(minSize, maxSize uint64) int {
	p := b.g.pre
	buf := b.node(tObject, sBuffer, 96)
	ab := b.node(tObject, sArrayBuffer, 88)
	st := b.node(tNative, sSystemArrayBufferData, uint32(minSize+b.r.below(maxSize-minSize)))
	b.even[st] = true
	b.ea(buf, eInternal, pBuffer, b.base+uint32(ab))
	b.obj(buf, p.bufferProto, p.mapBuffer)
	b.ea(ab, eInternal, pBackingStore, b.base+uint32(st))
	b.ea(ab, eInternal, pMap, p.mapArrayBuffer)
	return buf
}

// closure adds a closure named fn with its own context.
func (b *builder) closure(fn uint32, loc uint8) (cl, ctx int) {
	cl = b.node(tClosure, fn, 56)
	b.loc[cl] = loc
	ctx = b.node(tObject, sSystemContext, 40)
	p := b.g.pre
	b.ea(cl, eProperty, pProto, p.funcProto)
	b.ea(cl, eInternal, pShared, p.sfis[fn])
	b.e(cl, eInternal, pContext, ctx)
	b.ea(cl, eInternal, pCode, p.compile)
	b.ea(cl, eInternal, pMap, p.mapClosure)
	return
}

// session: a Session with its id and token, a Customer with an address,
// some request data and up to three Orders with LineItems. Orders refer
// to Customers of other sessions, so those have several retainers.
func (b *builder) session() {
	g, p, r := b.g, b.g.pre, &b.r
	s := b.node(tObject, sSession, 56) // slot 0: the Map value
	b.loc[s] = locSession
	id := b.str(catSess) // slot 1: the Map key
	cust := b.node(tObject, sCustomer, 48)
	b.loc[cust] = locCustomer
	token := b.str(catSess)
	orders, ordEl := b.array()
	created := b.num()
	data := b.node(tObject, sObject, 48)
	cname := b.str(catName)
	cemail := b.str(catEmail)
	addr := b.node(tObject, sObject, 40)
	street := b.str(catText)
	city := b.fstr(vCity1 + uint32(r.below(3)))
	zip := b.num()
	ip := b.str(catKey)
	agent := b.fstr(vAgent1 + uint32(r.below(2)))
	last := b.str(catPath)

	nOrd := 0
	var ords [3]int
	for nOrd < 3 && b.room() >= 7 {
		o := b.node(tObject, sOrder, 64)
		b.loc[o] = locOrder
		oid := b.str(catKey)
		total := b.num()
		items, itEl := b.array()
		nItems := min(1+int(r.below(3)), (b.room())/2)
		var lis [3]int
		for i := range nItems {
			li := b.node(tObject, sLineItem, 40)
			b.loc[li] = locLineItem
			sku := b.str(catKey)
			b.e(li, eProperty, pSku, sku)
			b.e(li, eProperty, pOrder, o)
			b.obj(li, p.lineItemProto, p.mapLineItem)
			lis[i] = li
		}
		b.fillArray(items, itEl, lis[:nItems])
		b.e(o, eProperty, pID, oid)
		if r.chance(1, 3) {
			b.e(o, eProperty, pCustomer, cust)
		} else {
			b.ea(o, eProperty, pCustomer, g.liveSlot(r, kSession, 2))
		}
		b.e(o, eProperty, pItems, items)
		b.e(o, eProperty, pSession, s)
		b.obj(o, p.orderProto, p.mapOrder)
		b.e(o, eHidden, 2, total)
		ords[nOrd] = o
		nOrd++
		if r.chance(1, 3) {
			break
		}
	}
	b.fillArray(orders, ordEl, ords[:nOrd])

	b.e(s, eProperty, pID, id)
	b.e(s, eProperty, pToken, token)
	b.e(s, eProperty, pCustomer, cust)
	b.e(s, eProperty, pOrders, orders)
	b.e(s, eProperty, pCreatedAt, created)
	b.e(s, eProperty, pData, data)
	if r.chance(1, 8) {
		b.e(s, eProperty, pSelf, s) // a self edge
	}
	b.obj(s, p.sessionProto, p.mapSession)

	b.e(cust, eProperty, pName, cname)
	b.e(cust, eProperty, pEmail, cemail)
	b.e(cust, eProperty, pAddress, addr)
	b.obj(cust, p.customerProto, p.mapCustomer)

	b.e(addr, eProperty, pStreet, street)
	b.e(addr, eProperty, pCity, city)
	b.e(addr, eProperty, pZip, zip)
	b.obj(addr, p.objectProto, p.mapAddr)

	b.e(data, eProperty, pIP, ip)
	b.e(data, eProperty, pAgent, agent)
	b.e(data, eProperty, pLastPath, last)
	for i := 0; b.room() > 0; i++ {
		b.e(data, eElement, uint32(i), b.str(catText))
	}
	b.obj(data, p.objectProto, p.mapObject)
}

// cache: one shard of the LRU cache, a Map of six entries linked into a
// list, with a WeakRef to an expired entry that nothing else holds
// (a weak-only island of five nodes).
func (b *builder) cache() {
	p, r := b.g.pre, &b.r
	shard := b.node(tObject, sMap, 32)
	table := b.node(tArray, sEmpty, 40+24*6)
	var ent, key [6]int
	for i := range 6 {
		ent[i] = b.node(tObject, sObject, 56)
		key[i] = b.str(catKey)
		var val, etag int
		if r.chance(1, 2) {
			val = b.node(tConsString, sConcatenatedString, 32)
			second := b.str(catText)
			b.e(val, eInternal, pFirst, key[i])
			b.e(val, eInternal, pSecond, second)
			b.ea(val, eInternal, pMap, p.consMap)
			etag = -1
		} else {
			val = b.str(catText)
			etag = b.node(tSlicedString, sSlicedString, 32)
			b.e(etag, eInternal, pParent, val)
			b.ea(etag, eInternal, pMap, p.slicedMap)
		}
		b.e(ent[i], eProperty, pKey, key[i])
		b.e(ent[i], eProperty, pValue, val)
		if etag >= 0 {
			b.e(ent[i], eProperty, pEtag, etag)
		}
	}
	weakRef := b.node(tObject, sWeakRef, 32)
	expired := b.node(tObject, sObject, 40)
	for i := range 6 {
		if i > 0 {
			b.e(ent[i], eProperty, pPrev, ent[i-1])
		}
		if i < 5 {
			b.e(ent[i], eProperty, sNext, ent[i+1])
		} else if next := b.k + 1; next < b.g.nFull && b.g.kind(next) == kCache {
			b.ea(ent[i], eProperty, sNext, b.g.head(next)+2)
		}
		if i == 0 {
			b.e(ent[i], eProperty, pRef, weakRef)
		}
		b.obj(ent[i], p.objectProto, p.mapEntry)
		b.e(table, eInternal, b.g.num(int64(5+3*i)), key[i])
		b.e(table, eInternal, b.g.num(int64(6+3*i)), ent[i])
	}
	b.ea(table, eInternal, pMap, p.fixedArrayMap)
	b.e(shard, eInternal, pTable, table)
	b.obj(shard, p.mapProto, p.mapMap)
	b.e(weakRef, eWeak, pTarget, expired)
	b.obj(weakRef, p.objectProto, p.mapWeakRef)
	b.e(expired, eProperty, pKey, key[0])
	for i := 0; b.room() > 0; i++ {
		b.e(expired, eElement, uint32(i), b.str(catText))
	}
	b.obj(expired, p.objectProto, p.mapObject)
}

// listener: one 'data' listener of the EventEmitter: a closure whose
// context captures a Session (of another cluster), a payload string, a
// Buffer and an Array of chunks. These accumulate: the leak.
func (b *builder) listener() {
	g, p, r := b.g, b.g.pre, &b.r
	cl, ctx := b.closure(sOnData, locOnData)
	fb := b.node(tCode, sSystemFeedbackCell, 24)
	b.ea(fb, eInternal, pMap, p.metaMap)
	payload := b.str(catText)
	chunks, chEl := b.array()
	buf := b.buffer(4<<10, 64<<10)
	b.ea(ctx, eInternal, pScopeInfo, p.scopeInfo)
	b.ea(ctx, eInternal, pPrevious, p.scriptCtx)
	b.ea(ctx, eContext, pSession, g.liveSlot(r, kSession, 0))
	b.e(ctx, eContext, pPayload, payload)
	b.e(ctx, eContext, pChunks, chunks)
	b.e(ctx, eContext, pBuf, buf)
	b.ea(ctx, eInternal, pMap, p.mapContext)
	b.e(cl, eInternal, pFeedbackCell, fb)
	kids := b.kids[:0]
	for b.room() > 0 {
		kids = append(kids, b.str(catText))
	}
	b.fillArray(chunks, chEl, kids)
}

// weakEntry: a Request used as a WeakMap key, its value object, and spans.
// Three keys in four are also held by processor.pending; the others are
// held only through the WeakMap.
func (b *builder) weakEntry() {
	g, p, r := b.g, b.g.pre, &b.r
	j := (b.k - weakOffset) / weakStride
	key := b.node(tObject, sRequest, 64)
	b.loc[key] = locRequest
	val := b.node(tObject, sObject, 48)
	b.e(key, eInternal, g.ephKeyName(j), val)
	url := b.str(catPath)
	method := b.fstr(vGET + uint32(r.below(2)))
	headers := b.node(tObject, sObject, 56)
	started := b.num()
	trace := b.str(catSess)
	spans, spEl := b.array()
	host := b.fstr(vHost)
	accept := b.fstr(vAppJSON)
	ua := b.fstr(vAgent1 + uint32(r.below(2)))
	cookie := b.str(catKey)
	kids := b.kids[:0]
	for len(kids) < 6 && b.room() >= 3 {
		sp := b.node(tObject, sObject, 40)
		nm := b.fstr(vSpanDB + uint32(r.below(2)))
		d := b.num()
		b.e(sp, eProperty, pName, nm)
		b.e(sp, eProperty, pDuration, d)
		b.obj(sp, p.objectProto, p.mapObject)
		kids = append(kids, sp)
	}
	b.fillArray(spans, spEl, kids)
	b.e(key, eProperty, pURL, url)
	b.e(key, eProperty, pMethod, method)
	b.e(key, eProperty, pHeaders, headers)
	b.obj(key, p.requestProto, p.mapRequest)
	b.e(val, eProperty, pStartedAt, started)
	b.e(val, eProperty, pTraceID, trace)
	b.e(val, eProperty, pSpans, spans)
	b.obj(val, p.objectProto, p.mapObject)
	b.e(headers, eProperty, pHost, host)
	b.e(headers, eProperty, pAccept, accept)
	b.e(headers, eProperty, pUserAgent, ua)
	b.e(headers, eProperty, pCookie, cookie)
	for i := 0; b.room() > 0; i++ {
		b.e(headers, eElement, uint32(i), b.str(catKey))
	}
	b.obj(headers, p.objectProto, p.mapObject)
}

// garbage: an unreachable island. Either a 12-object cycle plus a
// 20-node tree whose root has no retainer at all, or a 32-node cycle of
// closures and their contexts.
func (b *builder) garbage() {
	p, r := b.g.pre, &b.r
	if r.chance(1, 2) {
		for range 12 {
			b.node(tObject, sObject, 32)
		}
		for i := range 12 {
			b.e(i, eProperty, sNext, (i+1)%12)
			if i%3 == 0 {
				b.e(i, eProperty, pPrev, (i+11)%12)
			}
			b.obj(i, p.objectProto, p.mapObject)
		}
		// Binary tree over slots 12..31 rooted at 12.
		for t := range 20 {
			if 2*t+1 < 20 {
				b.node(tObject, sObject, 32)
			} else {
				b.str(catText)
			}
		}
		for t := range 20 {
			if 2*t+1 >= 20 {
				break
			}
			b.e(12+t, eProperty, pLeft, 12+2*t+1)
			if 2*t+2 < 20 {
				b.e(12+t, eProperty, pRight, 12+2*t+2)
			}
			b.obj(12+t, p.objectProto, p.mapObject)
		}
		return
	}
	for i := range 16 {
		cl, ctx := b.closure(sEmpty, locAnonymous)
		_ = cl
		b.ea(ctx, eInternal, pScopeInfo, p.scopeInfo)
		b.ea(ctx, eInternal, pPrevious, p.scriptCtx)
		b.e(ctx, eContext, pLink, (2*i+2)%32)
		b.ea(ctx, eInternal, pMap, p.mapContext)
	}
}

// handlers: a Router with routes, each a handler closure whose context
// points back at its route, under a module context.
func (b *builder) handlers() {
	g, p, r := b.g, b.g.pre, &b.r
	router := b.node(tObject, sRouter, 48)
	b.loc[router] = locRouter
	routes, rEl := b.array()
	mod := b.node(tObject, sSystemContext, 56)
	fns := [...]struct {
		name uint32
		loc  uint8
	}{{sHandleRequest, locHandleRequest}, {sValidate, locValidate}, {sSerialize, locSerialize}, {sEmpty, locAnonymous}}
	kids := b.kids[:0]
	for len(kids) < 5 && b.room() >= 5 {
		route := b.node(tObject, sObject, 40)
		path := b.str(catPath)
		method := b.fstr(vGET + uint32(r.below(2)))
		fn := fns[r.below(uint64(len(fns)))]
		h, hctx := b.closure(fn.name, fn.loc)
		b.e(route, eProperty, pPath, path)
		b.e(route, eProperty, pMethod, method)
		b.e(route, eProperty, pHandler, h)
		b.obj(route, p.objectProto, p.mapObject)
		b.ea(hctx, eInternal, pScopeInfo, p.scopeInfo)
		b.e(hctx, eInternal, pPrevious, mod)
		b.e(hctx, eContext, pRouteProp, route)
		b.ea(hctx, eInternal, pMap, p.mapContext)
		kids = append(kids, route)
	}
	b.fillArray(routes, rEl, kids)
	b.e(router, eProperty, pRoutes, routes)
	b.obj(router, p.routerProto, p.mapRouter)
	b.ea(mod, eInternal, pScopeInfo, p.scopeInfo)
	b.ea(mod, eInternal, pPrevious, p.scriptCtx)
	b.e(mod, eContext, pRouter, router)
	b.ea(mod, eContext, pLogger, g.liveHead(r))
	for b.room() > 0 {
		b.e(mod, eContext, pCounter, b.num())
	}
	b.ea(mod, eInternal, pMap, p.mapContext)
}

// payload: a message with a tree of concatenated strings, a RegExp, a
// Symbol, a BigInt and an Array of text parts.
func (b *builder) payload() {
	p := b.g.pre
	msg := b.node(tObject, sObject, 56)
	typ := b.fstr(vMessage)
	body := b.node(tConsString, sConcatenatedString, 32)
	left := b.node(tConsString, sConcatenatedString, 32)
	s1, s2, s3 := b.str(catText), b.str(catText), b.str(catText)
	b.e(body, eInternal, pFirst, left)
	b.e(body, eInternal, pSecond, s3)
	b.ea(body, eInternal, pMap, p.consMap)
	b.e(left, eInternal, pFirst, s1)
	b.e(left, eInternal, pSecond, s2)
	b.ea(left, eInternal, pMap, p.consMap)
	re := b.node(tRegexp, sRegExpSource, 56)
	b.obj(re, p.objectProto, p.mapObject)
	sym := b.node(tSymbol, sSymbol, 24)
	symName := b.fstr(sSymbolKCapture)
	b.e(sym, eInternal, pName, symName)
	b.ea(sym, eInternal, pMap, p.metaMap)
	big := b.node(tBigint, sBigint, 24)
	b.ea(big, eInternal, pMap, p.metaMap)
	parts, pEl := b.array()
	kids := b.kids[:0]
	for b.room() > 0 {
		kids = append(kids, b.str(catText))
	}
	b.fillArray(parts, pEl, kids)
	b.e(msg, eProperty, pType, typ)
	b.e(msg, eProperty, pBody, body)
	b.e(msg, eProperty, pPattern, re)
	b.e(msg, eProperty, pSym, sym)
	b.e(msg, eProperty, pBig, big)
	b.e(msg, eProperty, pParts, parts)
	b.obj(msg, p.objectProto, p.mapObject)
}

// buffers: a BufferPool holding Buffers with native backing stores.
func (b *builder) buffers() {
	p := b.g.pre
	pool := b.node(tObject, sBufferPool, 40)
	free, fEl := b.array()
	size := b.num()
	kids := b.kids[:0]
	for b.room() >= 3 {
		kids = append(kids, b.buffer(256, 16<<10))
	}
	b.fillArray(free, fEl, kids)
	b.e(pool, eProperty, pFree, free)
	b.e(pool, eProperty, pSize, size)
	for i := 0; b.room() > 0; i++ {
		b.e(pool, eElement, uint32(i), b.str(catKey))
	}
	b.obj(pool, p.objectProto, p.mapPool)
}

// records: an Array of plain {id, name, email[, tags]} objects.
func (b *builder) records() {
	p, r := b.g.pre, &b.r
	arr, el := b.array()
	kids := b.kids[:0]
	for b.room() >= 4 {
		rec := b.node(tObject, sObject, 48)
		id := b.num()
		nm := b.str(catName)
		em := b.str(catEmail)
		b.e(rec, eProperty, pID, id)
		b.e(rec, eProperty, pName, nm)
		b.e(rec, eProperty, pEmail, em)
		if b.room() > 0 && r.chance(1, 3) {
			b.e(rec, eProperty, pTags, b.fstr(vTagVIP))
		}
		b.obj(rec, p.objectProto, p.mapRecord)
		kids = append(kids, rec)
	}
	for b.room() > 0 {
		kids = append(kids, b.str(catName))
	}
	b.fillArray(arr, el, kids)
}

// tailCluster fills the last, partial cluster: an Array of strings held by
// global.tail.
func (b *builder) tailCluster() {
	p := b.g.pre
	if b.cap == 1 {
		arr := b.node(tObject, sArray, 32)
		b.obj(arr, p.arrayProto, p.mapArray)
		return
	}
	arr, el := b.array()
	kids := b.kids[:0]
	for b.room() > 0 {
		kids = append(kids, b.str(catText))
	}
	b.fillArray(arr, el, kids)
}

// eligible counts the nodes that get extra edges.
func (b *builder) eligible() int {
	n := 0
	for i := 0; i < b.n; i++ {
		if extraEligible(b.typ[i]) {
			n++
		}
	}
	return n
}

func extraEligible(t uint8) bool {
	return t == tObject || t == tClosure || t == tArray || t == tCode
}

// addExtras adds, to each object, closure, array and code node, a number
// of extra edges with mean g.extraRate: internal edges to shared system
// objects (as maps, feedback cells and property arrays are in a real heap),
// property edges to other clusters and weak edges.
func (b *builder) addExtras() {
	g := b.g
	whole := int(g.extraRate)
	frac := uint64((g.extraRate - float64(whole)) * (1 << 32))
	for i := 0; i < b.n; i++ {
		if !extraEligible(b.typ[i]) {
			continue
		}
		r := newRNG(g.cfg.Seed ^ uint64(b.base+uint32(i))*0xD6E8FEB86659FD93 ^ 0xE7)
		n := whole
		if r.next()&0xFFFFFFFF < frac {
			n++
		}
		for range n {
			u := r.below(100)
			switch {
			case u < 80:
				t := &g.targets[r.below(uint64(len(g.targets)))]
				b.ea(i, t.typ, t.name, t.to)
			case u < 92:
				b.ea(i, eProperty, pLink, g.liveHead(&r))
			default:
				b.ea(i, eWeak, g.num(int64(r.below(16))), g.liveHead(&r))
			}
		}
	}
}

// sortEdges orders the edges by source slot, keeping insertion order (a
// counting sort over the counts build computed).
func (b *builder) sortEdges() {
	var pos [clusterSize + 1]uint32
	for i := 1; i <= b.n; i++ {
		pos[i] = pos[i-1] + b.cnt[i]
	}
	b.tmp = b.tmp[:len(b.edges)]
	for _, e := range b.edges {
		b.tmp[pos[e.src]] = e
		pos[e.src]++
	}
	b.edges, b.tmp = b.tmp, b.edges
}

func (b *builder) appendNodes(buf []byte) []byte {
	g := b.g
	for i := 0; i < b.n; i++ {
		buf = g.appendNode(buf, b.base+uint32(i), b.typ[i], b.name[i], b.even[i], b.size[i], uint64(b.cnt[i+1]), 0)
	}
	return buf
}

func (b *builder) appendEdges(buf []byte) []byte {
	g := b.g
	b.sortEdges()
	for _, e := range b.edges {
		buf = g.appendEdge(buf, false, e.typ, e.name, e.to)
	}
	return buf
}

func (b *builder) appendLocations(buf []byte) []byte {
	for i := 0; i < b.n; i++ {
		if b.loc[i] != 0 {
			buf = b.g.appendLocation(buf, false, b.base+uint32(i), b.loc[i])
		}
	}
	return buf
}
