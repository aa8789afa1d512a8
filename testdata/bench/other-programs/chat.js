// A chat server's heap, for checking heapsnap's speed targets on a program
// of another shape than service-heap.js, written after the code it checks:
// rooms (EventEmitters with eight 'message' listeners each) with members
// and message histories, user profiles with settings, a presence Set,
// per-connection sockets with pending Promises, an attachment cache of
// Buffers, WeakMap-tagged sessions and timers' closures. At scale 26500 it
// writes a 2.34 GB snapshot (25.6 M nodes, 92.2 M edges).
//
//   node --max-old-space-size=20000 chat.js 26500 /tmp/chat.heapsnapshot
const v8 = require('v8');
const { EventEmitter } = require('events');
const scale = Number(process.argv[2] || 1000);
const out = process.argv[3];

class Profile {
  constructor(id) {
    this.id = id;
    this.handle = 'user_' + id.toString(36);
    this.settings = { theme: id % 3 ? 'dark' : 'light', locale: ['en', 'de', 'fr', 'ja'][id % 4], muted: [] };
    this.createdAt = new Date(1700000000000 + id * 1000);
  }
}
class Message {
  constructor(room, author, n) {
    this.room = room;
    this.author = author;
    this.text = `msg ${n} in ${room.name} by ${author.handle}: ${'lorem ipsum '.repeat(n % 4)}`;
    this.reactions = n % 5 === 0 ? new Map([['+1', n % 7], ['eyes', 1]]) : null;
    this.ts = n;
  }
}
class Room extends EventEmitter {
  constructor(i) {
    super();
    this.setMaxListeners(0);
    this.name = '#room-' + i;
    this.members = new Set();
    this.history = [];
  }
}
class Socket {
  constructor(user, i) {
    this.user = user;
    this.queue = [];
    this.pending = new Promise((resolve) => { this.resolve = resolve; });
    this.onData = (chunk) => this.queue.push(chunk.length + i);
  }
}

const users = [];
for (let i = 0; i < scale * 40; i++) users.push(new Profile(i));
const rooms = new Map();
for (let r = 0; r < scale; r++) {
  const room = new Room(r);
  for (let k = 0; k < 30; k++) room.members.add(users[(r * 37 + k * 11) % users.length]);
  for (let n = 0; n < 60; n++) room.history.push(new Message(room, users[(r + n * 13) % users.length], n));
  // The leak: a 'message' handler added per join, never removed.
  for (let k = 0; k < 8; k++) room.on('message', function relay(m) { return m.text.length + k; });
  rooms.set(room.name, room);
}
const presence = new Set(users.filter((u) => u.id % 3 === 0).map((u) => u.handle));
const sockets = users.filter((u) => u.id % 2 === 0).map((u, i) => new Socket(u, i));
const attachments = new Map();
for (let i = 0; i < scale * 2; i++) attachments.set('att' + i, Buffer.alloc(64 + (i % 200)));
const tags = new WeakMap();
for (const s of sockets) tags.set(s, { since: s.user.id, flags: [s.user.id & 1, s.user.id & 2] });
const timers = [];
for (let i = 0; i < scale * 5; i++) { const u = users[i % users.length]; timers.push(() => u.handle.length + i); }

globalThis.chat = { users, rooms, presence, sockets, attachments, tags, timers };
v8.writeHeapSnapshot(out);
