import type { ReactNode } from 'react';
import { Button, Label, ListBox, ListBoxItem, Popover, Select as AriaSelect, SelectValue, Text } from 'react-aria-components';

/** A labelled choice of one option (React Aria Select: keyboard, screen readers, typeahead). */
export function Select<K extends string>({ label, description, options, value, onChange, name }: { label: ReactNode; description?: ReactNode; options: { id: K; label: string }[]; value: K; onChange: (value: K) => void; name: string }) {
  return (
    <AriaSelect className="field" name={name} selectedKey={value} onSelectionChange={(key) => onChange(key as K)}>
      <Label className="field-label">{label}</Label>
      <Button className="field-input select-button">
        <SelectValue />
        <span aria-hidden="true">▾</span>
      </Button>
      {description ? <Text slot="description" className="field-description">{description}</Text> : null}
      <Popover className="popover">
        <ListBox className="listbox">
          {options.map((o) => (
            <ListBoxItem key={o.id} id={o.id} className="listbox-item" textValue={o.label}>{o.label}</ListBoxItem>
          ))}
        </ListBox>
      </Popover>
    </AriaSelect>
  );
}
