/*
 * Wagtail's rich-text editor (Draftail) and tag input (tag-it) draw their own text box beside
 * the hidden input that the field's <label> names, so assistive technology announced them with
 * no name (issue 16: axe "label", critical; "aria-input-field-name", serious). Name each by
 * the label of its field, as soon as it is drawn.
 */
(() => {
  const WIDGETS =
    '.public-DraftEditor-content[role="textbox"], .tagit input.ui-autocomplete-input';

  const labelFor = (widget) => {
    const input = widget.closest('[data-field-input]')?.querySelector('input[id]');
    const label = input && document.querySelector(`label[for="${CSS.escape(input.id)}"]`);
    if (label && !label.id) label.id = `${input.id}-label`;
    return label;
  };

  const nameWidgets = () => {
    document.querySelectorAll(WIDGETS).forEach((widget) => {
      if (widget.hasAttribute('aria-labelledby') || widget.hasAttribute('aria-label')) return;
      const label = labelFor(widget);
      if (label) widget.setAttribute('aria-labelledby', label.id);
    });
  };

  nameWidgets();
  new MutationObserver(nameWidgets).observe(document.body, { childList: true, subtree: true });
})();
