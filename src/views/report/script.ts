/**
 * The page's only script, inline: hovering or focusing a cell shows its details in the
 * panel at the bottom, and arrow keys move between cells. Without it, the grid still
 * reads, and each cell's title holds the same details.
 */
export const REPORT_SCRIPT = `
(function () {
  var panel = document.getElementById('details');
  var current = null;
  function show(cell) {
    if (cell === current) return;
    current = cell;
    if (cell.hasAttribute('title')) {
      cell.setAttribute('data-details', cell.getAttribute('title'));
      cell.removeAttribute('title');
    }
    var lines = (cell.getAttribute('data-details') || '').split('\\n');
    panel.textContent = '';
    lines.forEach(function (line) {
      var p = document.createElement('p');
      p.textContent = line;
      panel.appendChild(p);
    });
    panel.hidden = false;
  }
  function cellOf(target) {
    return target && target.closest ? target.closest('td[data-s]') : null;
  }
  document.addEventListener('mouseover', function (event) {
    var cell = cellOf(event.target);
    if (cell) show(cell);
  });
  document.addEventListener('focusin', function (event) {
    var cell = cellOf(event.target);
    if (cell) show(cell);
  });
  var moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
  document.addEventListener('keydown', function (event) {
    var move = moves[event.key];
    var cell = cellOf(event.target);
    if (!move || !cell) return;
    var row = cell.parentElement;
    var rows = row.parentElement.rows;
    var next = rows[row.sectionRowIndex + move[0]];
    var target = next && next.cells[cell.cellIndex + move[1]];
    if (target && target.tagName === 'TD') {
      event.preventDefault();
      target.focus();
    }
  });
})();
`
