// Formsets with an "Add a line" button (records/record_form.html, scheduling/availability.html). Without JavaScript the button
// posts the form and the server draws it back, as typed, with one more blank line. Here the line
// is added in place instead: a copy of the blank line kept in <template data-formset-empty>, its
// __prefix__ replaced by the next form number and counted in TOTAL_FORMS, up to MAX_NUM_FORMS
// (the server refuses more). Ticking "Remove" marks the line; it goes when the form is saved.
"use strict";

document.querySelectorAll("[data-formset]").forEach((box) => {
  const prefix = box.dataset.formset;
  const total = box.querySelector(`input[name="${prefix}-TOTAL_FORMS"]`);
  const max = box.querySelector(`input[name="${prefix}-MAX_NUM_FORMS"]`);
  const rows = box.querySelector("[data-formset-rows]");
  const blank = box.querySelector("template[data-formset-empty]");
  const add = box.querySelector("[data-formset-add]");
  const full = box.querySelector("[data-formset-full]");
  if (!total || !max || !rows || !blank || !add) return;

  const isFull = () => Number(total.value) >= Number(max.value);
  const showFull = () => {
    add.disabled = isFull();
    if (full) full.classList.toggle("d-none", !isFull());
  };

  add.addEventListener("click", (event) => {
    event.preventDefault();
    if (isFull()) return showFull();
    const n = Number(total.value);
    const html = blank.innerHTML
      .replaceAll("__prefix__", String(n))
      .replaceAll("__num__", String(n + 1));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(n + 1);
    showFull();
    const first = rows.lastElementChild.querySelector("select, input:not([type=hidden]), textarea");
    if (first) first.focus();
  });

  // A new line needs the fields named in data-formset-required once something is typed in it:
  // their "*" follows (the server draws it for lines with content, and says what is missing).
  const required = (box.dataset.formsetRequired || "").split(" ").filter(Boolean);
  box.addEventListener("input", (event) => {
    const line = event.target.closest("[data-formset-rows] > *");
    if (!line || line.querySelector('input[name$="-id"]')?.value) return;
    const texts = line.querySelectorAll("input[type=text], input[type=time], textarea, select");
    const filled = [...texts].some((input) => input.value.trim());
    required.forEach((name) => {
      const label = line.querySelector(`label[for$="-${name}"]`);
      const mark = label?.querySelector("span.text-danger");
      if (filled && label && !mark) {
        label.insertAdjacentHTML("beforeend", '<span class="text-danger" aria-hidden="true">*</span>');
      } else if (!filled && mark) {
        mark.remove();
      }
    });
  });

  box.addEventListener("change", (event) => {
    const input = event.target;
    if (input.matches('input[type=checkbox][name$="-DELETE"]')) {
      input.closest("[data-formset-rows] > *")?.classList.toggle("line-removed", input.checked);
    }
  });
  showFull();
});
