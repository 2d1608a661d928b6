import { createLazyRoute } from '@tanstack/react-router';
import { CalendarPage } from './CalendarPage';

export const Route = createLazyRoute('/signed-in/calendar')({ component: CalendarPage });
