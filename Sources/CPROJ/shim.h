#ifndef WANGGE_CPROJ_SHIM_H
#define WANGGE_CPROJ_SHIM_H

#include <proj.h>
// geod_* (Karney's geodesic routines) ship inside libproj.
#include <geodesic.h>

#endif
