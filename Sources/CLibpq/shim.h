#ifndef TLSFLOOR_CLIBPQ_SHIM_H
#define TLSFLOOR_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
