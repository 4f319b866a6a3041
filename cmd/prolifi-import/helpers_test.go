package main

import (
	"flag"
	"strconv"

	"github.com/prolifi/prolifi-import/client"
)

type (
	clientReq        = client.CreateCustomerRequest
	clientFieldError = client.FieldError
)

func itoa(n int) string  { return strconv.Itoa(n) }
func flagErrHelp() error { return flag.ErrHelp }
