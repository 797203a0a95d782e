#ifndef SIPCLIENT_CALSA_SHIM_H
#define SIPCLIENT_CALSA_SHIM_H
#include <alsa/asoundlib.h>
#endif
