// Keyboard navigation between focusable table rows: ↑/↓, PageUp/PageDown (10 rows), Home/End.
// Used as an attachment on <tbody>; Enter on a row follows its [data-row-primary] link, else its first link or
// button; Space clicks its first button (e.g. a toggle), else follows the link.
import type { Attachment } from 'svelte/attachments';

const PAGE = 10;

export const rowNav: Attachment<HTMLTableSectionElement> = (tbody) => {
  const onKey = (e: KeyboardEvent): void => {
    const row = e.target;
    if (!(row instanceof HTMLTableRowElement) || row.parentElement !== tbody) return;
    const rows = tbody.rows;
    const i = row.sectionRowIndex;
    let next: number | null = null;
    switch (e.key) {
      case 'ArrowDown':
        next = i + 1;
        break;
      case 'ArrowUp':
        next = i - 1;
        break;
      case 'PageDown':
        next = i + PAGE;
        break;
      case 'PageUp':
        next = i - PAGE;
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = rows.length - 1;
        break;
      case 'Enter':
        (row.querySelector<HTMLElement>('[data-row-primary]') ?? row.querySelector<HTMLElement>('a[href], button'))?.click();
        e.preventDefault();
        return;
      case ' ':
        row.querySelector<HTMLElement>('button, a[href]')?.click();
        e.preventDefault();
        return;
      default:
        return;
    }
    e.preventDefault();
    rows[Math.max(0, Math.min(rows.length - 1, next))]?.focus();
  };
  tbody.addEventListener('keydown', onKey);
  return () => tbody.removeEventListener('keydown', onKey);
};
