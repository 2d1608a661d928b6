import type { ReactNode } from 'react';
import { FieldError, Input, Label, Text, TextField, type TextFieldProps } from 'react-aria-components';

/** A labelled text input with an optional description (how to fill it) and the field's error. */
export function Field({ label, description, errorMessage, ...props }: TextFieldProps & { label: ReactNode; description?: ReactNode; errorMessage?: string }) {
  return (
    <TextField {...props} className="field">
      <Label className="field-label">{label}</Label>
      <Input className="field-input" />
      {description ? <Text slot="description" className="field-description">{description}</Text> : null}
      <FieldError className="field-error">{errorMessage}</FieldError>
    </TextField>
  );
}
