import type { ReactNode } from 'react';
import { Dialog as AriaDialog, Heading, Modal, ModalOverlay } from 'react-aria-components';

/** A modal dialog (React Aria: focus trapped and restored, Escape closes unless `isDismissable` is false). */
export function Dialog({ title, isOpen, onOpenChange, isDismissable = true, children }: { title: ReactNode; isOpen: boolean; onOpenChange: (open: boolean) => void; isDismissable?: boolean; children: ReactNode }) {
  return (
    <ModalOverlay className="modal-overlay" isOpen={isOpen} onOpenChange={onOpenChange} isDismissable={isDismissable} isKeyboardDismissDisabled={!isDismissable}>
      <Modal className="modal">
        <AriaDialog className="dialog">
          <Heading slot="title" className="dialog-title">{title}</Heading>
          {children}
        </AriaDialog>
      </Modal>
    </ModalOverlay>
  );
}
