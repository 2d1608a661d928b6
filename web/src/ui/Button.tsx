import { Button as AriaButton, type ButtonProps } from 'react-aria-components';

/** The app's button: `primary` for the one action of a screen, `quiet` for the rest, `danger` to confirm what cannot be undone. */
export function Button({ variant = 'primary', ...props }: ButtonProps & { variant?: 'primary' | 'quiet' | 'danger' }) {
  return <AriaButton {...props} className={`button button-${variant}${typeof props.className === 'string' ? ` ${props.className}` : ''}`} />;
}
