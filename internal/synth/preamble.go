package synth

import "io"

// Locations (script_id, line, column) of the functions and classes in the
// synthetic application. Objects of user classes get their constructor's
// location, as V8 writes them.
const (
	locNone uint8 = iota
	locSession
	locCustomer
	locOrder
	locLineItem
	locRequest
	locRouter
	locProcessor
	locEventEmitter
	locOnData
	locOnError
	locHandleRequest
	locValidate
	locSerialize
	locAnonymous
	numLocs
)

var locTable = [numLocs][3]uint32{
	locSession:       {42, 11, 2},
	locCustomer:      {42, 40, 2},
	locOrder:         {42, 58, 2},
	locLineItem:      {42, 77, 2},
	locRequest:       {42, 96, 2},
	locRouter:        {42, 130, 2},
	locProcessor:     {42, 171, 2},
	locEventEmitter:  {23, 218, 21},
	locOnData:        {42, 205, 30},
	locOnError:       {42, 214, 31},
	locHandleRequest: {42, 141, 40},
	locValidate:      {57, 12, 17},
	locSerialize:     {57, 33, 18},
	locAnonymous:     {42, 150, 24},
}

// Dynamic edge lists of preamble nodes: edges to clusters, generated when
// written, before the node's static edges.
type dynKind uint8

const (
	dynNone      dynKind = iota
	dynArr               // element i → head of the i-th cluster of kind arg
	dynElems             // internal "i" → the same
	dynSessions          // the sessions Map's table: key string, Session
	dynPending           // element i → the i-th strongly kept WeakMap key
	dynPendingEl         // internal "i" → the same
	dynEphemeron         // the WeakMap's table: weak key, weak value, ephemeron
)

type pnode struct {
	typ, det uint8
	even     bool
	loc      uint8
	name     uint32
	size     uint32
	dyn      dynKind
	arg      int // cluster kind for dynArr / dynElems
	edges    []edgeRec
}

// preamble is the fixed part of the heap before the first cluster: roots,
// the global object, maps, prototypes, constructors and the collections
// that hold the clusters.
type preamble struct {
	nodes []pnode
	big   bool

	root, gcRoots, cppRoots, nodeEnv, binding1, binding2, ctxScript, aliased uint32
	subRoots                                                                 []uint32

	metaMap, strMap, consMap, slicedMap, numMap, fixedArrayMap          uint32
	oddUndefined, oddNull, oddTrue, oddFalse                            uint32
	emptyFixedArray, weakArrayList, scopeInfo, script, script2, compile uint32
	nativeCtx, scriptCtx, global                                        uint32
	internStrings                                                       []uint32

	objectProto, arrayProto, funcProto, mapProto, weakMapProto, eeProto, bufferProto             uint32
	sessionProto, customerProto, orderProto, lineItemProto, requestProto, routerProto, procProto uint32

	ctors map[uint32]uint32 // class name → constructor closure
	sfis  map[uint32]uint32 // function name → SharedFunctionInfo

	mapObject, mapArray, mapClosure, mapContext, mapSession, mapCustomer, mapOrder, mapLineItem uint32
	mapRequest, mapRouter, mapProcessor, mapEE, mapMap, mapWeakMap, mapWeakRef, mapBuffer       uint32
	mapArrayBuffer, mapGlobal, mapAddr, mapEntry, mapPool, mapRecord, mapProtos                 uint32

	processor, emitter, events, eventsProps, onError, listeners, listenersEl uint32
	sessionsMap, sessionsTable, cacheArr, cacheEl, weakMap, ephTable         uint32
	pendingArr, pendingEl, routersArr, routersEl, queueArr, queueEl          uint32
	poolsArr, poolsEl, recordsArr, recordsEl, globalTagString                uint32
	bigArr, bigEl                                                            uint32
	bigBufs                                                                  [3][3]uint32
}

var sfiNames = []uint32{sObject, sArray, sMap, sWeakMap, sBuffer, sEventEmitter, sSession, sCustomer, sOrder,
	sLineItem, sRequest, sRouter, sProcessor, sOnData, sOnError, sHandleRequest, sValidate, sSerialize, sEmpty}

var bigStoreSizes = [3]uint32{3 << 30, 2<<30 - 8, 1<<32 - 8}

func (p *preamble) add(typ uint8, name, size uint32) uint32 {
	p.nodes = append(p.nodes, pnode{typ: typ, name: name, size: size})
	return uint32(len(p.nodes) - 1)
}

func (p *preamble) e(src uint32, typ uint8, name, to uint32) {
	p.nodes[src].edges = append(p.nodes[src].edges, edgeRec{typ: typ, name: name, to: to})
}

func stringSize(n int) uint32 { return uint32(16+n+7) &^ 7 }

// newPreamble declares the preamble's nodes; link adds their edges once the
// cluster layout is known.
func newPreamble(big bool) *preamble {
	p := &preamble{big: big, ctors: map[uint32]uint32{}, sfis: map[uint32]uint32{}}
	p.root = p.add(tSynthetic, sEmpty, 0)
	p.gcRoots = p.add(tSynthetic, sGCRoots, 0)
	for _, nm := range []uint32{sInternalizedStrings, sExternalStrings, sReadOnlyRoots, sStrongRoots, sSmiRoots,
		sStackRoots, sHandleScope, sBuiltins, sGlobalHandles, sEternalHandles, sStartupObjectCache, sWeakCollections} {
		p.subRoots = append(p.subRoots, p.add(tSynthetic, nm, 0))
	}
	p.metaMap = p.add(tHidden, sSystemMap, 80)
	p.strMap = p.add(tHidden, sSystemMapOneByte, 80)
	p.consMap = p.add(tHidden, sSystemMapCons, 80)
	p.slicedMap = p.add(tHidden, sSystemMapSliced, 80)
	p.numMap = p.add(tHidden, sSystemMap, 80)
	p.fixedArrayMap = p.add(tHidden, sSystemMap, 80)
	p.oddUndefined = p.add(tHidden, sSystemOddball, 48)
	p.oddNull = p.add(tHidden, sSystemOddball, 48)
	p.oddTrue = p.add(tHidden, sSystemOddball, 48)
	p.oddFalse = p.add(tHidden, sSystemOddball, 48)
	p.emptyFixedArray = p.add(tHidden, sSystemFixedArray, 16)
	p.weakArrayList = p.add(tCode, sSystemWeakArrayList, 24)
	p.scopeInfo = p.add(tCode, sSystemScopeInfo, 56)
	p.script = p.add(tCode, sScriptServer, 144)
	p.script2 = p.add(tCode, sScriptCache, 144)
	p.compile = p.add(tCode, sCompileLazy, 88)
	for _, nm := range []uint32{sUndefined, sNull, sTrue, sFalse, sGlobal, pID, pSession, pData, pError, pKey, pValue,
		sEscQuote, sEscNewline, sEscUnicode, sEscBackslash} {
		s := p.add(tString, nm, stringSize(len(fixedStrings[nm])))
		p.internStrings = append(p.internStrings, s)
	}
	p.globalTagString = p.internStrings[4]
	p.nativeCtx = p.add(tHidden, sSystemNativeContext, 2264)
	p.scriptCtx = p.add(tObject, sSystemContext, 112)
	p.global = p.add(tObject, sGlobal, 40)

	p.objectProto = p.add(tObject, sObject, 56)
	p.arrayProto = p.add(tObject, sArray, 32)
	p.funcProto = p.add(tClosure, sEmpty, 56)
	p.mapProto = p.add(tObject, sMap, 56)
	p.weakMapProto = p.add(tObject, sWeakMap, 56)
	p.eeProto = p.add(tObject, sObject, 56)
	p.bufferProto = p.add(tObject, sUint8Array, 24)
	p.sessionProto = p.add(tObject, sObject, 24)
	p.customerProto = p.add(tObject, sObject, 24)
	p.orderProto = p.add(tObject, sObject, 24)
	p.lineItemProto = p.add(tObject, sObject, 24)
	p.requestProto = p.add(tObject, sObject, 24)
	p.routerProto = p.add(tObject, sObject, 24)
	p.procProto = p.add(tObject, sObject, 24)

	for _, c := range []struct {
		name uint32
		loc  uint8
	}{{sObject, 0}, {sArray, 0}, {sMap, 0}, {sWeakMap, 0}, {sBuffer, 0}, {sEventEmitter, locEventEmitter},
		{sSession, locSession}, {sCustomer, locCustomer}, {sOrder, locOrder}, {sLineItem, locLineItem},
		{sRequest, locRequest}, {sRouter, locRouter}, {sProcessor, locProcessor}} {
		o := p.add(tClosure, c.name, 64)
		p.nodes[o].loc = c.loc
		p.ctors[c.name] = o
	}
	for _, nm := range sfiNames {
		p.sfis[nm] = p.add(tCode, nm, 56)
	}
	addMap := func() uint32 {
		m := p.add(tShape, sSystemMap, 80)
		p.add(tShape, sSystemDescriptorArray, 96) // m+1: its descriptors
		return m
	}
	p.mapObject, p.mapArray, p.mapClosure, p.mapContext = addMap(), addMap(), addMap(), addMap()
	p.mapSession, p.mapCustomer, p.mapOrder, p.mapLineItem = addMap(), addMap(), addMap(), addMap()
	p.mapRequest, p.mapRouter, p.mapProcessor, p.mapEE = addMap(), addMap(), addMap(), addMap()
	p.mapMap, p.mapWeakMap, p.mapWeakRef, p.mapBuffer = addMap(), addMap(), addMap(), addMap()
	p.mapArrayBuffer, p.mapGlobal, p.mapAddr, p.mapEntry = addMap(), addMap(), addMap(), addMap()
	p.mapPool, p.mapRecord, p.mapProtos = addMap(), addMap(), addMap()

	p.processor = p.add(tObject, sProcessor, 48)
	p.nodes[p.processor].loc = locProcessor
	p.emitter = p.add(tObject, sEventEmitter, 104)
	p.nodes[p.emitter].loc = locEventEmitter
	p.events = p.add(tObject, sObject, 24)
	p.eventsProps = p.add(tArray, sObjectProperties, 40)
	p.onError = p.add(tClosure, sOnError, 64)
	p.nodes[p.onError].loc = locOnError
	p.listeners = p.add(tObject, sArray, 32)
	p.listenersEl = p.add(tArray, sObjectElements, 16)
	p.sessionsMap = p.add(tObject, sMap, 32)
	p.sessionsTable = p.add(tArray, sEmpty, 40)
	p.cacheArr = p.add(tObject, sArray, 32)
	p.cacheEl = p.add(tArray, sObjectElements, 16)
	p.weakMap = p.add(tObject, sWeakMap, 32)
	p.ephTable = p.add(tArray, sEmpty, 40)
	p.pendingArr = p.add(tObject, sArray, 32)
	p.pendingEl = p.add(tArray, sObjectElements, 16)
	p.routersArr = p.add(tObject, sArray, 32)
	p.routersEl = p.add(tArray, sObjectElements, 16)
	p.queueArr = p.add(tObject, sArray, 32)
	p.queueEl = p.add(tArray, sObjectElements, 16)
	p.poolsArr = p.add(tObject, sArray, 32)
	p.poolsEl = p.add(tArray, sObjectElements, 16)
	p.recordsArr = p.add(tObject, sArray, 32)
	p.recordsEl = p.add(tArray, sObjectElements, 16)
	if big {
		p.bigArr = p.add(tObject, sArray, 32)
		p.bigEl = p.add(tArray, sObjectElements, 16+8*3)
		for i := range p.bigBufs {
			p.bigBufs[i][0] = p.add(tObject, sBuffer, 96)
			p.bigBufs[i][1] = p.add(tObject, sArrayBuffer, 88)
			s := p.add(tNative, sSystemArrayBufferData, bigStoreSizes[i])
			p.nodes[s].even = true
			p.bigBufs[i][2] = s
		}
	}
	// Embedder (Node.js) objects come last, with even ids, as in Node.
	p.cppRoots = p.add(tSynthetic, sCppRoots, 0)
	p.nodeEnv = p.add(tNative, sNodeEnvironment, 2592)
	p.binding1 = p.add(tNative, sNodeBindingData, 216)
	p.binding2 = p.add(tNative, sNodeBindingData, 104)
	p.ctxScript = p.add(tNative, sNodeContextifyScript, 120)
	p.aliased = p.add(tNative, sNodeAliasedArray, 56)
	for _, o := range []uint32{p.cppRoots, p.nodeEnv, p.binding1, p.binding2, p.ctxScript, p.aliased} {
		p.nodes[o].even = true
	}
	// Node reports detachedness for some of its objects; 2 makes DevTools
	// rename them "Detached …".
	p.nodes[p.binding1].det = 2
	p.nodes[p.ctxScript].det = 2
	p.nodes[p.binding2].det = 1
	return p
}

// link adds the preamble's edges. It needs the cluster layout (g.P,
// counts, string ranges).
func (p *preamble) link(g *gen) {
	e := p.e
	// Root: (GC roots), the global object (the only user root) and the
	// embedder roots.
	e(p.root, eElement, 1, p.gcRoots)
	e(p.root, eShortcut, g.num(2), p.global)
	e(p.root, eElement, 3, p.cppRoots)
	e(p.root, eElement, 4, p.nodeEnv)
	for i, s := range p.subRoots {
		e(p.gcRoots, eElement, uint32(i+1), s)
	}
	sub := func(name uint32) uint32 {
		for _, s := range p.subRoots {
			if p.nodes[s].name == name {
				return s
			}
		}
		panic("synth: no sub-root")
	}
	for i, s := range p.internStrings {
		e(sub(sInternalizedStrings), eInternal, g.num(int64(i+2)), s)
	}
	for i, o := range []uint32{p.metaMap, p.strMap, p.consMap, p.slicedMap, p.numMap, p.fixedArrayMap,
		p.oddUndefined, p.oddNull, p.oddTrue, p.oddFalse, p.emptyFixedArray} {
		e(sub(sReadOnlyRoots), eInternal, g.num(int64(i)), o)
	}
	e(sub(sStrongRoots), eInternal, g.num(1), p.nativeCtx)
	e(sub(sStrongRoots), eInternal, g.num(2), p.scriptCtx)
	r := newRNG(g.cfg.Seed ^ 0x57ac)
	for i := range 4 {
		e(sub(sStackRoots), eInternal, g.num(int64(i)), g.liveHead(&r))
	}
	e(sub(sStackRoots), eInternal, g.num(4), p.processor)
	e(sub(sHandleScope), eInternal, g.num(0), p.processor)
	e(sub(sHandleScope), eInternal, g.num(1), p.emitter)
	e(sub(sBuiltins), eInternal, pCode, p.compile)
	e(sub(sGlobalHandles), eInternal, g.num(0), p.processor)
	e(sub(sEternalHandles), eInternal, g.num(0), p.scopeInfo)
	for i, nm := range []uint32{sObject, sArray, sMap} {
		e(sub(sStartupObjectCache), eInternal, g.num(int64(i)), p.ctors[nm])
	}
	e(sub(sWeakCollections), eWeak, g.num(0), p.weakMap)

	// Maps and oddballs. The meta map is its own map: a self edge.
	for _, m := range []uint32{p.metaMap, p.strMap, p.consMap, p.slicedMap, p.numMap, p.fixedArrayMap} {
		e(m, eInternal, pMap, p.metaMap)
	}
	for i, o := range []uint32{p.oddUndefined, p.oddNull, p.oddTrue, p.oddFalse} {
		e(o, eInternal, pToString, p.internStrings[i])
		e(o, eInternal, pMap, p.metaMap)
	}
	e(p.emptyFixedArray, eInternal, pMap, p.fixedArrayMap)
	e(p.weakArrayList, eInternal, pMap, p.metaMap)
	e(p.scopeInfo, eInternal, pMap, p.metaMap)
	e(p.script, eInternal, pMap, p.metaMap)
	e(p.script2, eInternal, pMap, p.metaMap)
	e(p.compile, eInternal, pMap, p.metaMap)
	for _, s := range p.internStrings {
		e(s, eInternal, pMap, p.strMap)
	}

	// Contexts.
	nc := p.nativeCtx
	e(nc, eInternal, pGlobalProxy, p.global)
	e(nc, eInternal, pSloppyFunctionMap, p.mapClosure)
	e(nc, eInternal, pScopeInfo, p.scopeInfo)
	for i, o := range []uint32{p.ctors[sObject], p.ctors[sArray], p.ctors[sMap], p.ctors[sWeakMap], p.objectProto, p.arrayProto, p.funcProto} {
		e(nc, eInternal, g.num(int64(i+10)), o)
	}
	e(nc, eInternal, pMap, p.metaMap)
	sc := p.scriptCtx
	e(sc, eInternal, pScopeInfo, p.scopeInfo)
	e(sc, eInternal, pPrevious, nc)
	e(sc, eContext, pSessions, p.sessionsMap)
	e(sc, eContext, pCache, p.cacheArr)
	e(sc, eContext, pProcessorProp, p.processor)
	e(sc, eContext, pRegistry, p.weakMap)
	for _, nm := range []uint32{sSession, sCustomer, sOrder, sLineItem, sRequest, sRouter} {
		e(sc, eContext, nm, p.ctors[nm])
	}
	e(sc, eInternal, pMap, p.mapContext)

	// The global object.
	gl := p.global
	e(gl, eProperty, pProcessorProp, p.processor)
	e(gl, eProperty, pSessions, p.sessionsMap)
	e(gl, eProperty, pCache, p.cacheArr)
	e(gl, eProperty, pRegistry, p.weakMap)
	e(gl, eProperty, pRouters, p.routersArr)
	e(gl, eProperty, pRecords, p.recordsArr)
	e(gl, eProperty, pPools, p.poolsArr)
	if p.big {
		e(gl, eProperty, pBigBuffers, p.bigArr)
	}
	if g.tail > 0 {
		e(gl, eProperty, pTail, g.head(g.nFull))
	}
	for _, nm := range []uint32{sObject, sArray, sMap, sWeakMap, sBuffer, sEventEmitter, sSession, sCustomer, sOrder, sLineItem, sRequest, sRouter, sProcessor} {
		e(gl, eProperty, nm, p.ctors[nm])
	}
	e(gl, eProperty, pSymbolToStringTag, p.globalTagString)
	e(gl, eProperty, pProto, p.objectProto)
	e(gl, eInternal, pNativeContext, nc)
	e(gl, eInternal, pMap, p.mapGlobal)

	// Prototypes and constructors.
	e(p.objectProto, eProperty, pConstructor, p.ctors[sObject])
	e(p.objectProto, eProperty, pProto, p.oddNull)
	e(p.objectProto, eInternal, pMap, p.mapProtos)
	for _, pc := range []struct{ proto, ctor uint32 }{
		{p.arrayProto, sArray}, {p.mapProto, sMap}, {p.weakMapProto, sWeakMap}, {p.eeProto, sEventEmitter},
		{p.bufferProto, sBuffer}, {p.sessionProto, sSession}, {p.customerProto, sCustomer}, {p.orderProto, sOrder},
		{p.lineItemProto, sLineItem}, {p.requestProto, sRequest}, {p.routerProto, sRouter}, {p.procProto, sProcessor},
	} {
		e(pc.proto, eProperty, pConstructor, p.ctors[pc.ctor])
		e(pc.proto, eProperty, pProto, p.objectProto)
		e(pc.proto, eInternal, pMap, p.mapProtos)
	}
	e(p.funcProto, eProperty, pProto, p.objectProto)
	e(p.funcProto, eInternal, pMap, p.mapClosure)
	protoOf := map[uint32]uint32{sObject: p.objectProto, sArray: p.arrayProto, sMap: p.mapProto, sWeakMap: p.weakMapProto,
		sBuffer: p.bufferProto, sEventEmitter: p.eeProto, sSession: p.sessionProto, sCustomer: p.customerProto,
		sOrder: p.orderProto, sLineItem: p.lineItemProto, sRequest: p.requestProto, sRouter: p.routerProto, sProcessor: p.procProto}
	for _, nm := range []uint32{sObject, sArray, sMap, sWeakMap, sBuffer, sEventEmitter, sSession, sCustomer, sOrder, sLineItem, sRequest, sRouter, sProcessor} {
		c := p.ctors[nm]
		e(c, eProperty, pPrototype, protoOf[nm])
		e(c, eProperty, pProto, p.funcProto)
		e(c, eInternal, pShared, p.sfis[nm])
		e(c, eInternal, pContext, p.scriptCtx)
		e(c, eInternal, pMap, p.mapClosure)
	}
	for _, nm := range sfiNames {
		s := p.sfis[nm]
		if nm == sValidate || nm == sSerialize {
			e(s, eInternal, pScriptOrDebugInfo, p.script2)
		} else {
			e(s, eInternal, pScriptOrDebugInfo, p.script)
		}
		e(s, eInternal, pOuterScopeInfo, p.scopeInfo)
		e(s, eInternal, pMap, p.metaMap)
	}
	for _, m := range []struct{ m, proto uint32 }{
		{p.mapObject, p.objectProto}, {p.mapArray, p.arrayProto}, {p.mapClosure, p.funcProto}, {p.mapContext, p.objectProto},
		{p.mapSession, p.sessionProto}, {p.mapCustomer, p.customerProto}, {p.mapOrder, p.orderProto}, {p.mapLineItem, p.lineItemProto},
		{p.mapRequest, p.requestProto}, {p.mapRouter, p.routerProto}, {p.mapProcessor, p.procProto}, {p.mapEE, p.eeProto},
		{p.mapMap, p.mapProto}, {p.mapWeakMap, p.weakMapProto}, {p.mapWeakRef, p.objectProto}, {p.mapBuffer, p.bufferProto},
		{p.mapArrayBuffer, p.objectProto}, {p.mapGlobal, p.objectProto}, {p.mapAddr, p.objectProto}, {p.mapEntry, p.objectProto},
		{p.mapPool, p.objectProto}, {p.mapRecord, p.objectProto}, {p.mapProtos, p.objectProto},
	} {
		e(m.m, eInternal, pDescriptors, m.m+1)
		e(m.m, eInternal, pPrototype, m.proto)
		if m.m != p.mapObject {
			e(m.m, eInternal, pBackPointer, p.mapObject)
		}
		e(m.m, eInternal, pDependentCode, p.weakArrayList)
		e(m.m, eInternal, pMap, p.metaMap)
		e(m.m+1, eInternal, pMap, p.metaMap)
	}

	// The application: processor → emitter → _events.data → listeners.
	e(p.processor, eProperty, pEmitter, p.emitter)
	e(p.processor, eProperty, pPending, p.pendingArr)
	e(p.processor, eProperty, pQueue, p.queueArr)
	e(p.processor, eProperty, pProto, p.procProto)
	e(p.processor, eInternal, pMap, p.mapProcessor)
	e(p.emitter, eProperty, pEvents, p.events)
	e(p.emitter, eProperty, pMaxListeners, p.oddUndefined)
	e(p.emitter, eProperty, pProto, p.eeProto)
	e(p.emitter, eInternal, pMap, p.mapEE)
	e(p.events, eProperty, pData, p.listeners)
	e(p.events, eProperty, pError, p.onError)
	e(p.events, eProperty, pProto, p.oddNull)
	e(p.events, eInternal, pProperties, p.eventsProps)
	e(p.events, eInternal, pMap, p.mapObject)
	e(p.eventsProps, eInternal, g.num(0), p.listeners)
	e(p.eventsProps, eInternal, g.num(1), p.onError)
	e(p.onError, eProperty, pProto, p.funcProto)
	e(p.onError, eInternal, pShared, p.sfis[sOnError])
	e(p.onError, eInternal, pContext, p.scriptCtx)
	e(p.onError, eInternal, pCode, p.compile)
	e(p.onError, eInternal, pMap, p.mapClosure)

	arrayOf := func(arr, el uint32, kind int) {
		p.nodes[arr].dyn, p.nodes[arr].arg = dynArr, kind
		p.nodes[el].dyn, p.nodes[el].arg = dynElems, kind
		p.nodes[el].size = uint32(16 + 8*g.kindCount[kind])
		e(arr, eProperty, pProto, p.arrayProto)
		e(arr, eInternal, pElements, el)
		e(arr, eInternal, pMap, p.mapArray)
	}
	arrayOf(p.listeners, p.listenersEl, kListener)
	arrayOf(p.cacheArr, p.cacheEl, kCache)
	arrayOf(p.routersArr, p.routersEl, kHandlers)
	arrayOf(p.queueArr, p.queueEl, kPayload)
	arrayOf(p.poolsArr, p.poolsEl, kBuffers)
	arrayOf(p.recordsArr, p.recordsEl, kRecords)
	p.nodes[p.pendingArr].dyn = dynPending
	p.nodes[p.pendingEl].dyn = dynPendingEl
	p.nodes[p.pendingEl].size = uint32(16 + 8*g.kept)
	e(p.pendingArr, eProperty, pProto, p.arrayProto)
	e(p.pendingArr, eInternal, pElements, p.pendingEl)
	e(p.pendingArr, eInternal, pMap, p.mapArray)

	e(p.sessionsMap, eInternal, pTable, p.sessionsTable)
	e(p.sessionsMap, eProperty, pProto, p.mapProto)
	e(p.sessionsMap, eInternal, pMap, p.mapMap)
	p.nodes[p.sessionsTable].dyn = dynSessions
	p.nodes[p.sessionsTable].size = uint32(40 + 24*g.kindCount[kSession])
	e(p.sessionsTable, eInternal, pMap, p.fixedArrayMap)

	e(p.weakMap, eInternal, pTable, p.ephTable)
	e(p.weakMap, eProperty, pProto, p.weakMapProto)
	e(p.weakMap, eInternal, pMap, p.mapWeakMap)
	p.nodes[p.ephTable].dyn = dynEphemeron
	p.nodes[p.ephTable].size = uint32(40 + 16*g.kindCount[kWeakEntry])
	e(p.ephTable, eInternal, pMap, p.fixedArrayMap)

	if p.big {
		for i, bb := range p.bigBufs {
			e(p.bigArr, eElement, uint32(i), bb[0])
		}
		e(p.bigArr, eProperty, pProto, p.arrayProto)
		e(p.bigArr, eInternal, pElements, p.bigEl)
		e(p.bigArr, eInternal, pMap, p.mapArray)
		for i, bb := range p.bigBufs {
			e(p.bigEl, eInternal, g.num(int64(i)), bb[0])
		}
		for _, bb := range p.bigBufs {
			e(bb[0], eInternal, pBuffer, bb[1])
			e(bb[0], eProperty, pProto, p.bufferProto)
			e(bb[0], eInternal, pMap, p.mapBuffer)
			e(bb[1], eInternal, pBackingStore, bb[2])
			e(bb[1], eInternal, pMap, p.mapArrayBuffer)
		}
	}

	e(p.nodeEnv, eElement, 1, p.binding1)
	e(p.nodeEnv, eElement, 2, p.binding2)
	e(p.nodeEnv, eElement, 3, p.ctxScript)
	e(p.binding1, eInternal, pNativeToJS, p.processor)
	e(p.binding1, eInternal, pBuffer, p.aliased)
	e(p.binding2, eInternal, pNativeToJS, p.internStrings[7])
	e(p.ctxScript, eInternal, pNativeToJS, p.script)

	// Shared targets of the extra edges that calibrate EdgesPerNode.
	g.targets = []sharedTarget{
		{eInternal, pProperties, p.emptyFixedArray},
		{eInternal, pDependentCode, p.weakArrayList},
		{eInternal, pTransitions, p.mapObject},
		{eInternal, pScopeInfo, p.scopeInfo},
		{eInternal, pFeedbackCell, p.weakArrayList},
		{eInternal, pValue, p.oddUndefined},
		{eInternal, pCode, p.compile},
		{eHidden, 1, p.oddTrue},
		{eHidden, 2, p.oddFalse},
		{eInternal, pPrototype, p.objectProto},
	}
}

func (p *preamble) dynCount(g *gen, n *pnode) int64 {
	switch n.dyn {
	case dynArr, dynElems:
		return g.kindCount[n.arg]
	case dynSessions:
		return 2 * g.kindCount[kSession]
	case dynPending, dynPendingEl:
		return g.kept
	case dynEphemeron:
		return 3 * g.kindCount[kWeakEntry]
	}
	return 0
}

func (p *preamble) edgeCount(g *gen) int64 {
	var n int64
	for i := range p.nodes {
		n += int64(len(p.nodes[i].edges)) + p.dynCount(g, &p.nodes[i])
	}
	return n
}

func (p *preamble) selfSize() uint64 {
	var n uint64
	for i := range p.nodes {
		n += uint64(p.nodes[i].size)
	}
	return n
}

func (p *preamble) locations() int64 {
	var n int64
	for i := range p.nodes {
		if p.nodes[i].loc != 0 {
			n++
		}
	}
	return n
}

func (p *preamble) appendNodes(g *gen, b []byte) []byte {
	for i := range p.nodes {
		n := &p.nodes[i]
		b = g.appendNode(b, uint32(i), n.typ, n.name, n.even, n.size, uint64(len(n.edges))+uint64(p.dynCount(g, n)), n.det)
	}
	return b
}

// clustersOf calls f with the index of each cluster of kind kd, in order.
func (g *gen) clustersOf(kd int, f func(k int64)) {
	switch kd {
	case kListener:
		for j := int64(0); j < g.kindCount[kd]; j++ {
			f(listenerCluster(j))
		}
	case kWeakEntry:
		for j := int64(0); j < g.kindCount[kd]; j++ {
			f(weakEntryCluster(j))
		}
	default:
		for k := int64(0); k < g.nFull; k++ {
			if g.kind(k) == kd {
				f(k)
			}
		}
	}
}

// writeEdges writes the preamble's edges to w, flushing every chunkBytes so
// that the tables listing clusters never need a buffer proportional to the
// snapshot.
func (p *preamble) writeEdges(g *gen, w io.Writer) error {
	b := make([]byte, 0, chunkBytes+4096)
	var err error
	first := true
	edge := func(typ uint8, name, to uint32) {
		b = g.appendEdge(b, first, typ, name, to)
		first = false
		if len(b) >= chunkBytes && err == nil {
			_, err = w.Write(b)
			b = b[:0]
		}
	}
	for i := range p.nodes {
		n := &p.nodes[i]
		var idx int64
		switch n.dyn {
		case dynArr:
			g.clustersOf(n.arg, func(k int64) { edge(eElement, uint32(idx), g.head(k)); idx++ })
		case dynElems:
			g.clustersOf(n.arg, func(k int64) { edge(eInternal, g.num(idx), g.head(k)); idx++ })
		case dynSessions:
			g.clustersOf(kSession, func(k int64) {
				edge(eInternal, g.num(5+3*idx), g.head(k)+1)
				edge(eInternal, g.num(6+3*idx), g.head(k))
				idx++
			})
		case dynPending, dynPendingEl:
			for j := int64(0); j < g.kindCount[kWeakEntry]; j++ {
				if !g.keptKey(j) {
					continue
				}
				if n.dyn == dynPending {
					edge(eElement, uint32(idx), g.head(weakEntryCluster(j)))
				} else {
					edge(eInternal, g.num(idx), g.head(weakEntryCluster(j)))
				}
				idx++
			}
		case dynEphemeron:
			for j := int64(0); j < g.kindCount[kWeakEntry]; j++ {
				key := g.head(weakEntryCluster(j))
				edge(eWeak, g.num(3+2*j), key)
				edge(eWeak, g.num(4+2*j), key+1)
				edge(eInternal, g.ephTableName(j), key+1)
			}
		}
		for _, ed := range n.edges {
			edge(ed.typ, ed.name, ed.to)
		}
		if err != nil {
			return err
		}
	}
	if err == nil && len(b) > 0 {
		_, err = w.Write(b)
	}
	return err
}

func (p *preamble) appendLocations(g *gen, b []byte) []byte {
	first := true
	for i := range p.nodes {
		if l := p.nodes[i].loc; l != 0 {
			b = g.appendLocation(b, first, uint32(i), l)
			first = false
		}
	}
	return b
}

func (g *gen) appendLocation(b []byte, first bool, o uint32, l uint8) []byte {
	if !first {
		b = append(b, ',')
	}
	b = appendUint(b, uint64(o)*g.nf)
	for _, v := range locTable[l] {
		b = append(b, ',')
		b = appendUint(b, uint64(v))
	}
	return append(b, '\n')
}
