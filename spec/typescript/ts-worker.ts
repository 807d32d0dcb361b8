/** A TypeScript target: doubles its argument and says which file ran. */
import { type Observable, of } from 'rxjs';

export default function tsWorker(n: number): Observable<{ doubled: number; file: string }> {
  return of({ doubled: n * 2, file: import.meta.url });
}
