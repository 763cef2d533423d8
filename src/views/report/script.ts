/**
 * The page's only script, inline. Hovering or focusing a cell shows its details (kept as
 * JSON in the page, `GridDetails` per grid) in the panel at the bottom; Tab reaches each grid
 * and the arrow keys move between its cells. Without it, the grid, totals and deletes
 * still read.
 */
export const REPORT_SCRIPT = `
(function () {
  var panel = document.getElementById('details');
  var data = null;
  var current = null;
  function gridOf(cell) {
    return cell.closest('.grid-wrap');
  }
  function rowsOf(grid) {
    return grid.querySelectorAll('tbody tr');
  }
  function position(cell) {
    var row = cell.parentElement;
    var first = Number(row.closest('table').getAttribute('data-first'));
    return [first + row.sectionRowIndex, cell.cellIndex - 1];
  }
  function detailsOf(cell) {
    if (data === null) data = JSON.parse(document.getElementById('cell-details').textContent);
    var at = position(cell);
    var grid = data[Number(gridOf(cell).getAttribute('data-grid'))];
    var text = grid.rows[at[0]][at[1]];
    if (text !== 0) return text;
    var customer = cell.parentElement.querySelector('th').textContent;
    return grid.verified[at[1]].split('\\u0000').join(customer);
  }
  function show(cell) {
    if (cell === current) return;
    current = cell;
    panel.textContent = '';
    detailsOf(cell).split('\\n').forEach(function (line) {
      var p = document.createElement('p');
      p.textContent = line;
      panel.appendChild(p);
    });
    panel.hidden = false;
  }
  function cellOf(target) {
    return target && target.closest ? target.closest('.grid td') : null;
  }
  // One cell per grid is in the tab order; the arrow keys move it.
  function makeTabStop(cell) {
    var grid = gridOf(cell);
    var stop = grid.querySelector('td[tabindex="0"]');
    if (stop && stop !== cell) stop.removeAttribute('tabindex');
    cell.setAttribute('tabindex', '0');
  }
  document.querySelectorAll('.grid-wrap').forEach(function (grid) {
    var first = grid.querySelector('tbody td');
    if (first) first.setAttribute('tabindex', '0');
  });
  document.addEventListener('mouseover', function (event) {
    var cell = cellOf(event.target);
    if (cell) show(cell);
  });
  document.addEventListener('focusin', function (event) {
    var cell = cellOf(event.target);
    if (cell) show(cell);
  });
  var moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0], Home: [0, -1e9], End: [0, 1e9] };
  document.addEventListener('keydown', function (event) {
    var move = moves[event.key];
    var cell = cellOf(event.target);
    if (!move || !cell) return;
    var rows = rowsOf(gridOf(cell));
    var at = position(cell);
    var row = rows[at[0] + move[0]];
    if (!row) return;
    var last = row.cells.length - 1;
    var target = row.cells[Math.max(1, Math.min(last, at[1] + 1 + move[1]))];
    if (!target || target === cell) return;
    event.preventDefault();
    makeTabStop(target);
    target.focus();
  });
})();
`
