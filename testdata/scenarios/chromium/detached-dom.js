'use strict';
// Detached-DOM leak: a "panel" is built, shown, then closed by removing it from
// the document, but every closed panel stays in window.leakedPanels, so the
// whole detached tree (and its click listeners) stays alive.
//
// Each panel: <div class="panel"> with 50 descendant elements:
//   1 <h2>, 1 <ul> with 45 <li>, and 3 <button> (each with a click listener).
window.leakedPanels = [];

const PANELS = 3;
const ITEMS = 45;
const BUTTONS = 3;

function onPanelClick(event) {
  event.currentTarget.dataset.clicked = 'yes';
}

function buildPanel(n) {
  const panel = document.createElement('div');
  panel.className = 'panel';
  panel.id = 'panel-' + n;
  const title = document.createElement('h2');
  title.textContent = 'Panel ' + n;
  panel.appendChild(title);
  const list = document.createElement('ul');
  for (let i = 0; i < ITEMS; i++) {
    const item = document.createElement('li');
    item.textContent = 'item ' + n + '.' + i;
    list.appendChild(item);
  }
  panel.appendChild(list);
  for (let b = 0; b < BUTTONS; b++) {
    const button = document.createElement('button');
    button.textContent = 'action ' + b;
    button.addEventListener('click', onPanelClick);
    panel.appendChild(button);
  }
  return panel;
}

function openAndClosePanel(n) {
  const host = document.getElementById('panel-host');
  const panel = buildPanel(n);
  host.appendChild(panel);
  host.removeChild(panel); // closed: detached from the document...
  window.leakedPanels.push(panel); // ...but still referenced: leak
}

// An attached element with a listener: not a leak.
document.getElementById('open-panel').addEventListener('click', function onOpenClick() {
  openAndClosePanel(window.leakedPanels.length);
});

for (let n = 0; n < PANELS; n++) openAndClosePanel(n);
window.fixtureReady = true;
