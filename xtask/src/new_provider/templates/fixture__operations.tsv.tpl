method	path	operationId	kind	note
POST	/payments	payment_create	path	scaffold example
GET	/payments/{id}	payment_get	path	scaffold example
