/*
 * A press of submit, save or publish waits for Wagtail's autosave request in flight.
 *
 * Wagtail 8 autosaves the page editor (the w-autosave controller on the edit form) but does not
 * hold back the form's own submission meanwhile: the two requests then write the same page at
 * once, and the submission can fail or be refused as a conflict with the autosave's revision.
 * Here the submission is held until the autosave has finished (its success, error or
 * deactivated event) and then sent with the button that was pressed; no new autosave starts
 * once a button was pressed. Loaded as a deferred file (insert_editor_js hook, before the form in the page): no
 * inline script.
 */
(() => {
  'use strict';

  const script = document.currentScript;
  const form = document.querySelector('form[data-edit-form]');
  if (!form) return;

  const MAX_WAIT_MS = 20000; // the server's SQLite busy timeout; then submit regardless
  const DONE_EVENTS = ['w-autosave:success', 'w-autosave:error', 'w-autosave:deactivated'];
  let saving = false;
  let waiting = false; // a held submission: a second press must not send it twice
  let settled = [];

  const settle = () => {
    saving = false;
    settled.forEach((resolve) => resolve());
    settled = [];
  };

  form.addEventListener('w-autosave:save', (event) => {
    saving = true;
    // A listener after this one may cancel the save: then no request is made.
    queueMicrotask(() => {
      if (event.defaultPrevented) settle();
    });
  });
  DONE_EVENTS.forEach((name) => form.addEventListener(name, settle));

  const autosaveFinished = () =>
    new Promise((resolve) => {
      settled.push(resolve);
      setTimeout(resolve, MAX_WAIT_MS);
    });

  const announceWaiting = () => {
    const status = document.createElement('p');
    status.setAttribute('role', 'status');
    status.className = 'help-block help-info';
    status.textContent = (script && script.dataset.waitingText) || '';
    form.prepend(status);
  };

  document.addEventListener(
    'submit',
    (event) => {
      if (event.target !== form) return;
      form.setAttribute('data-w-autosave-active-value', 'false');
      if (!saving && !waiting) return;
      event.preventDefault();
      if (waiting) return;
      waiting = true;
      const button = event.submitter;
      announceWaiting();
      autosaveFinished().then(() => {
        if (button && button.name) {
          const pressed = document.createElement('input');
          pressed.type = 'hidden';
          pressed.name = button.name;
          pressed.value = button.value;
          form.append(pressed);
        }
        form.submit();
      });
    },
    true,
  );
})();
