'use strict';
// Browser leaks, one page (make.sh copies ../index.html next to this file).
// A widget is mounted and unmounted RENDERS times. Leaky variant:
//   - mount() adds a 'resize' listener on window, a 'keydown' listener on
//     document and a 'click' listener on the #refresh button; unmount()
//     removes none of them: 400 listeners on each target;
//   - mount() starts a 60 s setInterval (never cleared) and a 20 ms
//     setTimeout heartbeat chain (never stopped);
//   - closeDialog() removes a dialog from the document but keeps it in the
//     script-scope array `closedDialogs`: 3 detached trees of 31 elements.
// The fixed twin (../fixed/app.js) removes the listeners, clears the
// interval, ends the chain and forgets the closed dialogs.
const RENDERS = 400;
const DIALOGS = 3;

class WidgetState {
  constructor(n) {
    this.n = n;
    this.label = 'widget-' + n;
    this.cells = new Array(48).fill(n);
    this.ticks = 0;
    this.mounted = true;
  }
}

const closedDialogs = [];

function mount(n) {
  const state = new WidgetState(n);
  const onResize = function onResize() { state.width = window.innerWidth; };
  const onKeydown = function onKeydown(event) { state.lastKey = event.key; };
  const onRefresh = function onRefresh() { state.ticks = 0; };
  window.addEventListener('resize', onResize);
  document.addEventListener('keydown', onKeydown);
  document.getElementById('refresh').addEventListener('click', onRefresh);
  const interval = setInterval(function tick() { state.ticks++; }, 60000);
  (function heartbeat() {
    setTimeout(function beat() {
      // BUG: the chain never checks state.mounted.
      heartbeat();
    }, 20);
  })();
  return function unmount() {
    state.mounted = false;
    // BUG: the listeners stay registered
    // and the interval (`interval`) is never cleared.
  };
}

function openDialog(n) {
  const dialog = document.createElement('div');
  dialog.className = 'dialog';
  dialog.id = 'dialog-' + n;
  const list = document.createElement('ul');
  for (let i = 0; i < 30; i++) {
    const item = document.createElement('li');
    item.textContent = 'option ' + n + '.' + i;
    list.appendChild(item);
  }
  dialog.appendChild(list);
  document.getElementById('dialog-host').appendChild(dialog);
  return dialog;
}

function closeDialog(dialog) {
  dialog.remove();
  closedDialogs.push(dialog); // BUG: kept after it is closed
}

for (let n = 0; n < RENDERS; n++) mount(n)();
for (let n = 0; n < DIALOGS; n++) closeDialog(openDialog(n));
// An attached listener that is not a leak.
document.getElementById('app').addEventListener('focusin', function onAppFocus() {});
// Ready once every heartbeat has fired a few times.
setTimeout(function ready() { window.fixtureReady = true; }, 300);
