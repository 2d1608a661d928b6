import type { ReactNode } from 'react';
import { ComboBox, FieldError, Input, Label, ListBox, ListBoxItem, Popover, Text } from 'react-aria-components';

/** A text field with a filtered list of suggestions to choose from (React Aria ComboBox). */
export function ComboField({ label, description, options, value, onChange, name, errorMessage, isInvalid }: { label: ReactNode; description?: ReactNode; options: readonly string[]; value: string; onChange: (value: string) => void; name: string; errorMessage?: string; isInvalid?: boolean }) {
  return (
    <ComboBox className="field" name={name} items={options.filter((o) => o.toLowerCase().includes(value.toLowerCase())).slice(0, 50).map((id) => ({ id }))} inputValue={value} onInputChange={onChange} onSelectionChange={(key) => { if (key !== null) onChange(String(key)); }} allowsCustomValue menuTrigger="focus" isInvalid={isInvalid ?? false}>
      <Label className="field-label">{label}</Label>
      <Input className="field-input" />
      {description ? <Text slot="description" className="field-description">{description}</Text> : null}
      <FieldError className="field-error">{errorMessage}</FieldError>
      <Popover className="popover">
        <ListBox className="listbox">
          {(item: { id: string }) => <ListBoxItem id={item.id} className="listbox-item" textValue={item.id}>{item.id}</ListBoxItem>}
        </ListBox>
      </Popover>
    </ComboBox>
  );
}
