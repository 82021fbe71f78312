#ifndef WANGGE_CGEOS_SHIM_H
#define WANGGE_CGEOS_SHIM_H

// Only the reentrant API: every call names the context it runs in (one per worker).
#define GEOS_USE_ONLY_R_API
#include <geos_c.h>

// Version-dependent C lives here: Swift's #if cannot read C macros.

/// 1 when the linked headers provide GEOSPreparedContainsXY_r (GEOS >= 3.12), else 0.
static inline int wangge_geos_has_prepared_contains_xy(void) {
#if GEOS_VERSION_MAJOR > 3 || (GEOS_VERSION_MAJOR == 3 && GEOS_VERSION_MINOR >= 12)
    return 1;
#else
    return 0;
#endif
}

/// Prepared "contains" for a point given as x/y. On GEOS >= 3.12 this is GEOSPreparedContainsXY_r; on 3.11 it
/// creates a point, tests it and destroys it here (editing a point in place would leave GEOS 3.11's cached envelope
/// stale). Returns 1 (true), 0 (false) or 2 (exception), like every GEOS predicate.
static inline char wangge_prepared_contains_xy(GEOSContextHandle_t h, const GEOSPreparedGeometry *prep,
                                               double x, double y) {
#if GEOS_VERSION_MAJOR > 3 || (GEOS_VERSION_MAJOR == 3 && GEOS_VERSION_MINOR >= 12)
    return GEOSPreparedContainsXY_r(h, prep, x, y);
#else
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, x, y);   // owned here, destroyed below
    if (pt == NULL) return 2;
    char r = GEOSPreparedContains_r(h, prep, pt);
    GEOSGeom_destroy_r(h, pt);
    return r;
#endif
}

/// The GEOS version string of the linked library (e.g. "3.11.1-CAPI-1.17.1").
static inline const char *wangge_geos_version(void) { return GEOSversion(); }

#endif
