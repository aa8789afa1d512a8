// Sorts a table by a column when its header is clicked; numeric cells
// sort by their data-v value. The report works without it.
for (const table of document.querySelectorAll("table.sortable")) {
  table.querySelectorAll("th").forEach((th, col) => {
    th.addEventListener("click", () => {
      const asc = th.classList.contains("sorted") && !th.classList.contains("asc");
      table.querySelectorAll("th").forEach((h) => h.classList.remove("sorted", "asc"));
      th.classList.add("sorted");
      if (asc) th.classList.add("asc");
      const body = table.tBodies[0];
      const key = (tr) => { const td = tr.cells[col]; return td.dataset.v !== undefined ? Number(td.dataset.v) : td.textContent.toLowerCase(); };
      const rows = [...body.rows].sort((a, b) => { const x = key(a), y = key(b); const c = x < y ? -1 : x > y ? 1 : 0; return asc ? c : -c; });
      body.append(...rows);
    });
  });
}
